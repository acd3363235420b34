package io.granary.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.granary.s3api.S3Listener;
import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.retries.DefaultRetryStrategy;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Exception;

/** Token-bucket limits per key (with per-key overrides) and per tenant; 429 with Retry-After. */
class RateLimitApiTest extends ApiTestSupport {

    @Autowired
    S3Listener s3Listener;

    private static final Path OWN_DATA_DIR = tempDir();

    @DynamicPropertySource
    static void tightLimits(DynamicPropertyRegistry registry) {
        registry.add("granary.test.data-dir", OWN_DATA_DIR::toString);
        registry.add("granary.rate-limit.key-requests-per-second", () -> "1");
        registry.add("granary.rate-limit.tenant-requests-per-second", () -> "2");
        registry.add("granary.rate-limit.burst-seconds", () -> "3");
    }

    @Test
    void aKeyGetsItsBurstThenWaits() throws InterruptedException {
        String tenantId = createTenant(unique("limited"));
        String key = createKey(tenantId, List.of("list"), null);
        for (int i = 0; i < 3; i++) {
            http.get().uri("/v1/buckets").header("X-Api-Key", key).exchange().expectStatus().isOk().expectBody();
        }
        expectProblem(http.get().uri("/v1/buckets").header("X-Api-Key", key).exchange(), HttpStatus.TOO_MANY_REQUESTS, "rate_limited");
        http.get().uri("/v1/buckets").header("X-Api-Key", key).exchange()
                .expectStatus().isEqualTo(HttpStatus.TOO_MANY_REQUESTS).expectHeader().valueEquals("Retry-After", "1").expectBody();
        Thread.sleep(1200);
        http.get().uri("/v1/buckets").header("X-Api-Key", key).exchange().expectStatus().isOk().expectBody();
        // The root key is never limited.
        for (int i = 0; i < 10; i++) {
            asRoot(http.get().uri("/v1/tenants/{t}", tenantId)).exchange().expectStatus().isOk().expectBody();
        }
    }

    @Test
    void aKeyMayHaveItsOwnRateAndTheTenantCapsAllItsKeys() {
        String tenantId = createTenant(unique("fast"));
        Map<?, ?> created = asRoot(http.post().uri("/v1/tenants/{t}/keys", tenantId).contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Map.of("name", "fast", "permissions", List.of("list"), "requestsPerSecond", 100))).exchange()
                .expectStatus().isCreated().expectBody(Map.class).returnResult().getResponseBody();
        String fast = (String) created.get("secret");
        // More than a default key's burst (3) passes; the tenant's cap (2/s, burst 6) stops it.
        int passed = 0;
        int refused = 0;
        for (int i = 0; i < 40; i++) {
            int status = http.get().uri("/v1/buckets").header("X-Api-Key", fast).exchange()
                    .expectBody().returnResult().getStatus().value();
            if (status == 200) {
                passed++;
            } else if (status == 429) {
                refused++;
            }
        }
        org.assertj.core.api.Assertions.assertThat(passed).isBetween(6, 39);
        org.assertj.core.api.Assertions.assertThat(refused).isEqualTo(40 - passed);
        expectProblem(asRoot(http.post().uri("/v1/tenants/{t}/keys", tenantId).contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Map.of("name", "bad", "permissions", List.of("list"), "requestsPerSecond", 0))).exchange(),
                HttpStatus.BAD_REQUEST, "invalid_request");
    }

    @Test
    void signedS3RequestsCountLikeEveryOtherRequest() {
        String tenantId = createTenant(unique("s3limited"));
        Map<?, ?> issued = asRoot(http.post().uri("/v1/tenants/{t}/s3-credentials", tenantId).contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Map.of("name", "s3", "permissions", List.of("list")))).exchange()
                .expectStatus().isCreated().expectBody(Map.class).returnResult().getResponseBody();
        try (S3Client s3 = S3Client.builder().endpointOverride(URI.create("http://127.0.0.1:" + s3Listener.port()))
                .region(Region.US_EAST_1).httpClient(UrlConnectionHttpClient.create())
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(
                        (String) issued.get("accessKeyId"), (String) issued.get("secretAccessKey"))))
                .forcePathStyle(true)
                // The SDK would retry a SlowDown after a pause, and so get through.
                .overrideConfiguration(o -> o.retryStrategy(DefaultRetryStrategy.doNotRetry()))
                .build()) {
            for (int i = 0; i < 3; i++) {
                s3.listBuckets();
            }
            assertThatThrownBy(s3::listBuckets).isInstanceOfSatisfying(S3Exception.class, e -> {
                assertThat(e.statusCode()).isEqualTo(503);
                assertThat(e.awsErrorDetails().errorCode()).isEqualTo("SlowDown");
            });
        }
    }

    @Test
    void aRefusedPublicReadStillCarriesTheBucketsCorsHeaders() {
        String tenantName = unique("corslimited");
        String admin = createKey(createTenant(tenantName), List.of("admin"), null);
        String bucket = unique("pub");
        createBucket(admin, bucket, Map.of("visibility", "public"));
        http.put().uri("/v1/buckets/{b}/cors", bucket).header("X-Api-Key", admin).contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Map.of("rules", List.of(Map.of("allowedOrigins", List.of("https://app.example.com"),
                        "allowedMethods", List.of("GET")))))
                .exchange().expectStatus().isNoContent().expectBody();
        // The tenant's burst (2/s for 3 s) runs out; the refusal must still be readable by the page.
        int status = 0;
        for (int i = 0; i < 20 && status != 429; i++) {
            var result = http.get().uri("/public/{t}/{b}/missing", tenantName, bucket).header("Origin", "https://app.example.com")
                    .exchange().expectBody().returnResult();
            status = result.getStatus().value();
            assertThat(result.getResponseHeaders().getAccessControlAllowOrigin()).as("status %d", status)
                    .isEqualTo("https://app.example.com");
        }
        assertThat(status).isEqualTo(429);
    }

    @Test
    void hotObjectReadsCountLikeEveryOtherRequest() {
        String tenantId = createTenant(unique("hot"));
        String writer = createKey(tenantId, List.of("admin"), null);
        String bucket = unique("b");
        createBucket(writer, bucket, Map.of());
        http.put().uri("/v1/buckets/{b}/objects/k", bucket).header("X-Api-Key", writer).bodyValue("cached")
                .exchange().expectStatus().isOk().expectBody();
        String reader = createKey(tenantId, List.of("read"), null);
        // The reader's burst (3) of cached reads passes, the next is refused (the tenant's burst of 6 is not reached).
        for (int i = 0; i < 3; i++) {
            http.get().uri("/v1/buckets/{b}/objects/k", bucket).header("X-Api-Key", reader).exchange()
                    .expectStatus().isOk().expectBody(String.class).isEqualTo("cached");
        }
        expectProblem(http.get().uri("/v1/buckets/{b}/objects/k", bucket).header("X-Api-Key", reader).exchange(),
                HttpStatus.TOO_MANY_REQUESTS, "rate_limited");
    }

    @Test
    void readsTheHotPathHandsOnAreChargedOnce() {
        String tenantId = createTenant(unique("handed"));
        String writer = createKey(tenantId, List.of("admin"), null);
        String bucket = unique("b");
        createBucket(writer, bucket, Map.of());
        String reader = createKey(tenantId, List.of("read"), null);
        // A missing object: the hot path takes the token, finds nothing to answer and hands the
        // request to WebFlux, which answers 404 without taking a second token. The burst is 3.
        for (int i = 0; i < 3; i++) {
            expectProblem(http.get().uri("/v1/buckets/{b}/objects/missing", bucket).header("X-Api-Key", reader).exchange(),
                    HttpStatus.NOT_FOUND, "object_not_found");
        }
        expectProblem(http.get().uri("/v1/buckets/{b}/objects/missing", bucket).header("X-Api-Key", reader).exchange(),
                HttpStatus.TOO_MANY_REQUESTS, "rate_limited");
    }
}
