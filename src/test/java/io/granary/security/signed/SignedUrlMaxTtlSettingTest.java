package io.granary.security.signed;

import static org.assertj.core.api.Assertions.assertThat;

import io.granary.api.ApiTestSupport;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.http.MediaType;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;

/** {@code granary.signed-urls.max-ttl} set below the default hour: the limit, the default lifetime and the index follow it. */
class SignedUrlMaxTtlSettingTest extends ApiTestSupport {

    private static final Path OWN_DATA_DIR = tempDir();

    @DynamicPropertySource
    static void shortLimit(DynamicPropertyRegistry registry) {
        registry.add("granary.test.data-dir", OWN_DATA_DIR::toString);
        registry.add("granary.signed-urls.max-ttl", () -> "30m");
    }

    private WebTestClient.ResponseSpec issue(String admin, String bucket, Map<String, Object> body) {
        return http.post().uri("/v1/buckets/{b}/signed-urls", bucket).header("X-Api-Key", admin)
                .contentType(MediaType.APPLICATION_JSON).bodyValue(body).exchange();
    }

    @Test
    void theSettingIsTheLimit() {
        String admin = createKey(createTenant(unique("limit")), List.of("admin"), null);
        String bucket = unique("limit");
        createBucket(admin, bucket, Map.of());
        issue(admin, bucket, Map.of("key", "a.txt", "ttlSeconds", 1800)).expectStatus().isOk().expectBody();
        issue(admin, bucket, Map.of("key", "a.txt", "ttlSeconds", 1801)).expectStatus().isBadRequest().expectBody()
                .jsonPath("$.code").isEqualTo("invalid_request")
                .jsonPath("$.detail").value(detail -> assertThat((String) detail).contains("to 1800 seconds"));
        // Without ttlSeconds: the default hour, cut to the limit.
        issue(admin, bucket, Map.of("key", "a.txt")).expectStatus().isOk().expectBody()
                .jsonPath("$.expiresAt").value(at -> assertThat(Instant.parse((String) at))
                        .isBetween(Instant.now().plusSeconds(1790), Instant.now().plusSeconds(1801)));
        http.get().uri("/").exchange().expectStatus().isOk().expectBody()
                .jsonPath("$.limits.signedUrlMaxTtlSeconds").isEqualTo(1800);
    }
}
