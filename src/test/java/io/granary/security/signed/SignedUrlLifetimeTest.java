package io.granary.security.signed;

import static org.assertj.core.api.Assertions.assertThat;

import io.granary.api.ApiTestSupport;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;

/**
 * The default longest lifetime (7 days, {@code granary.signed-urls.max-ttl}) end to end: such a
 * URL is issued, works to its last second although the signing key was rotated meanwhile (the
 * signed-URL clock is moved on, not waited for), and one second more is refused.
 */
@Import(SignedUrlLifetimeTest.Clocks.class)
class SignedUrlLifetimeTest extends ApiTestSupport {

    private static final Path OWN_DATA_DIR = tempDir();
    static final ShiftedClock CLOCK = new ShiftedClock();
    private static final long SEVEN_DAYS = Duration.ofDays(7).toSeconds();

    @DynamicPropertySource
    static void ownDataDir(DynamicPropertyRegistry registry) {
        registry.add("granary.test.data-dir", OWN_DATA_DIR::toString);
    }

    /** The clock signed URLs are issued and checked by. */
    @TestConfiguration
    static class Clocks {
        @Bean
        Clock signedUrlClock() {
            return CLOCK;
        }
    }

    /** The system clock, moved on by {@link #advance}. */
    static final class ShiftedClock extends Clock {
        private volatile Duration shift = Duration.ZERO;

        void advance(Duration by) {
            shift = shift.plus(by);
        }

        void reset() {
            shift = Duration.ZERO;
        }

        @Override
        public Instant instant() {
            return Instant.now().plus(shift);
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            throw new UnsupportedOperationException();
        }
    }

    private String admin;
    private String bucket;

    @BeforeEach
    void bucketWithObject() {
        admin = createKey(createTenant(unique("lifetime")), List.of("admin"), null);
        bucket = unique("lifetime");
        createBucket(admin, bucket, Map.of());
        http.put().uri("/v1/buckets/{b}/objects/report.txt", bucket).header("X-Api-Key", admin)
                .contentType(MediaType.TEXT_PLAIN).bodyValue("weekly").exchange().expectStatus().isOk().expectBody();
    }

    @AfterEach
    void realTime() {
        CLOCK.reset();
    }

    private WebTestClient.ResponseSpec issue(long ttlSeconds) {
        return http.post().uri("/v1/buckets/{b}/signed-urls", bucket).header("X-Api-Key", admin)
                .contentType(MediaType.APPLICATION_JSON).bodyValue(Map.of("key", "report.txt", "ttlSeconds", ttlSeconds))
                .exchange();
    }

    @Test
    void aSevenDayUrlWorksItsWholeLifeThroughASigningKeyRotation() {
        Instant issuedAt = Instant.now();
        Map<String, Object> issued = issue(SEVEN_DAYS).expectStatus().isOk()
                .expectBody(new ParameterizedTypeReference<Map<String, Object>>() { }).returnResult().getResponseBody();
        Instant expiresAt = Instant.parse((String) issued.get("expiresAt"));
        assertThat(expiresAt).isBetween(issuedAt.plusSeconds(SEVEN_DAYS).truncatedTo(ChronoUnit.SECONDS),
                Instant.now().plusSeconds(SEVEN_DAYS));
        URI url = URI.create((String) issued.get("url"));
        http.get().uri(url).exchange().expectStatus().isOk().expectBody(String.class).isEqualTo("weekly");

        // New URLs are signed with a new key; the old one keeps verifying what it signed.
        asRoot(http.post().uri("/v1/signing-keys")).exchange().expectStatus().isCreated().expectBody();
        CLOCK.advance(Duration.between(Instant.now(), expiresAt).minusSeconds(2));
        http.get().uri(url).exchange().expectStatus().isOk().expectBody(String.class).isEqualTo("weekly");

        CLOCK.advance(Duration.ofSeconds(3));
        expectProblem(http.get().uri(url).exchange(), HttpStatus.FORBIDDEN, "signed_url_expired");
    }

    @Test
    void aSecondMoreThanSevenDaysIsRefusedNamingTheLimit() {
        issue(SEVEN_DAYS + 1).expectStatus().isBadRequest().expectBody()
                .jsonPath("$.code").isEqualTo("invalid_request")
                .jsonPath("$.detail").value(detail -> assertThat((String) detail).contains("604800")
                        .contains("granary.signed-urls.max-ttl"));
        expectProblem(issue(59), HttpStatus.BAD_REQUEST, "invalid_request");
    }

    @Test
    void theServiceIndexNamesTheLimits() {
        http.get().uri("/").exchange().expectStatus().isOk().expectBody()
                .jsonPath("$.limits.signedUrlMaxTtlSeconds").isEqualTo(SEVEN_DAYS)
                .jsonPath("$.limits.signedUrlMinTtlSeconds").isEqualTo(60);
    }
}
