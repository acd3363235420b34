package io.granary.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DefaultDataBufferFactory;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import reactor.core.publisher.Flux;

/** Usage is counted exactly through every kind of write, and quotas hold. */
class QuotaApiTest extends ApiTestSupport {

    private String tenantId;
    private String admin;
    private String bucket;

    @BeforeEach
    void tenant() {
        tenantId = createTenant(unique("quota"));
        admin = createKey(tenantId, List.of("admin"), null);
        bucket = unique("quota");
        createBucket(admin, bucket, Map.of());
    }

    private void put(String bucketName, String key, int size) {
        http.put().uri("/v1/buckets/{b}/objects/{k}", bucketName, key).header("X-Api-Key", admin).bodyValue(new byte[size])
                .exchange().expectStatus().isOk().expectBody();
    }

    @SuppressWarnings("unchecked")
    private Map<String, Object> usage() {
        return http.get().uri("/v1/usage").header("X-Api-Key", admin).exchange().expectStatus().isOk()
                .expectBody(new ParameterizedTypeReference<Map<String, Object>>() { }).returnResult().getResponseBody();
    }

    @SuppressWarnings("unchecked")
    private Map<String, Object> bucketUsage(String name) {
        return (Map<String, Object>) ((Map<String, Object>) usage().get("buckets")).get(name);
    }

    @SuppressWarnings("unchecked")
    private Map<String, Object> tenantUsage() {
        return (Map<String, Object>) usage().get("tenant");
    }

    @Test
    void usageFollowsEveryWrite() {
        put(bucket, "a", 10);
        put(bucket, "b", 20);
        put(bucket, "c", 30);
        assertThat(bucketUsage(bucket)).containsEntry("bytes", 60).containsEntry("objects", 3);
        put(bucket, "c", 5); // overwrite: -30 +5
        assertThat(bucketUsage(bucket)).containsEntry("bytes", 35).containsEntry("objects", 3);
        http.delete().uri("/v1/buckets/{b}/objects/a", bucket).header("X-Api-Key", admin).exchange().expectStatus().isNoContent();
        http.post().uri("/v1/buckets/{b}/copy", bucket).header("X-Api-Key", admin).contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Map.of("sourceKey", "b", "key", "b2")).exchange().expectStatus().isOk().expectBody();
        assertThat(bucketUsage(bucket)).containsEntry("bytes", 45).containsEntry("objects", 3);
        // Failed writes count nothing.
        expectProblem(http.put().uri("/v1/buckets/{b}/objects/d", bucket).header("X-Api-Key", admin)
                .header("Content-MD5", "AAAAAAAAAAAAAAAAAAAAAA==").bodyValue(new byte[7]).exchange(), HttpStatus.BAD_REQUEST, "bad_digest");
        http.post().uri("/v1/buckets/{b}/delete", bucket).header("X-Api-Key", admin).contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Map.of("keys", List.of("b", "nothing"))).exchange().expectStatus().isOk().expectBody();
        assertThat(bucketUsage(bucket)).containsEntry("bytes", 25).containsEntry("objects", 2);

        String second = unique("second");
        createBucket(admin, second, Map.of());
        put(second, "x", 100);
        assertThat(tenantUsage()).containsEntry("bytes", 125).containsEntry("objects", 3);
        http.delete().uri("/v1/buckets/{b}?force=true", second).header("X-Api-Key", admin).exchange().expectStatus().isNoContent();
        assertThat(tenantUsage()).containsEntry("bytes", 25).containsEntry("objects", 2);
    }

    @Test
    void bucketQuotasRefuseWhatDoesNotFitAndStoreNothing() {
        http.patch().uri("/v1/buckets/{b}", bucket).header("X-Api-Key", admin).contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Map.of("quotaBytes", 100, "quotaObjects", 3)).exchange().expectStatus().isOk()
                .expectBody().jsonPath("$.quotaBytes").isEqualTo(100);
        put(bucket, "a", 60);
        // Declared length: refused before the body is read.
        expectProblem(http.put().uri("/v1/buckets/{b}/objects/b", bucket).header("X-Api-Key", admin).bodyValue(new byte[50])
                .exchange(), HttpStatus.CONTENT_TOO_LARGE, "quota_exceeded");
        // Unknown length: refused when the upload would become visible.
        Flux<DataBuffer> chunked = Flux.range(0, 5).map(i -> DefaultDataBufferFactory.sharedInstance.wrap(new byte[10]));
        expectProblem(http.put().uri("/v1/buckets/{b}/objects/b", bucket).header("X-Api-Key", admin)
                .body(chunked, DataBuffer.class).exchange(), HttpStatus.CONTENT_TOO_LARGE, "quota_exceeded");
        expectProblem(http.get().uri("/v1/buckets/{b}/objects/b", bucket).header("X-Api-Key", admin).exchange(),
                HttpStatus.NOT_FOUND, "object_not_found");
        // Replacing an object only needs room for the difference.
        put(bucket, "a", 95);
        assertThat(bucketUsage(bucket)).containsEntry("bytes", 95).containsEntry("quotaBytes", 100);
        put(bucket, "b", 5);
        expectProblem(http.put().uri("/v1/buckets/{b}/objects/c", bucket).header("X-Api-Key", admin).bodyValue(new byte[1])
                .exchange(), HttpStatus.CONTENT_TOO_LARGE, "quota_exceeded");
        put(bucket, "b", 0);
        put(bucket, "c", 0);
        expectProblem(http.put().uri("/v1/buckets/{b}/objects/d", bucket).header("X-Api-Key", admin).bodyValue(new byte[0])
                .exchange(), HttpStatus.CONTENT_TOO_LARGE, "quota_exceeded"); // a fourth object
        assertThat(bucketUsage(bucket)).containsEntry("bytes", 95).containsEntry("objects", 3);

        // A quota lowered below the usage still lets writes shrink it, never grow it.
        http.patch().uri("/v1/buckets/{b}", bucket).header("X-Api-Key", admin).contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Map.of("quotaBytes", 50)).exchange().expectStatus().isOk().expectBody();
        put(bucket, "a", 90);
        expectProblem(http.put().uri("/v1/buckets/{b}/objects/a", bucket).header("X-Api-Key", admin).bodyValue(new byte[91])
                .exchange(), HttpStatus.CONTENT_TOO_LARGE, "quota_exceeded");
        assertThat(bucketUsage(bucket)).containsEntry("bytes", 90).containsEntry("objects", 3);
    }

    @Test
    void tenantQuotasSpanBucketsAndOnlyRootSetsThem() {
        expectProblem(http.patch().uri("/v1/tenants/{t}", tenantId).header("X-Api-Key", admin)
                .contentType(MediaType.APPLICATION_JSON).bodyValue(Map.of("quotaBytes", 1_000_000)).exchange(),
                HttpStatus.FORBIDDEN, "forbidden");
        asRoot(http.patch().uri("/v1/tenants/{t}", tenantId).contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Map.of("quotaBytes", 50))).exchange().expectStatus().isOk()
                .expectBody().jsonPath("$.quotaBytes").isEqualTo(50);
        expectProblem(asRoot(http.patch().uri("/v1/tenants/{t}", tenantId).contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Map.of("quotaBytes", -1))).exchange(), HttpStatus.BAD_REQUEST, "invalid_request");
        String second = unique("second");
        createBucket(admin, second, Map.of());
        put(bucket, "a", 30);
        put(second, "b", 20);
        expectProblem(http.put().uri("/v1/buckets/{b}/objects/c", second).header("X-Api-Key", admin).bodyValue(new byte[1])
                .exchange(), HttpStatus.CONTENT_TOO_LARGE, "quota_exceeded");
        // A refusal by the tenant's quota leaves the bucket's counter as it was.
        assertThat(bucketUsage(second)).containsEntry("bytes", 20).containsEntry("objects", 1);
        asRoot(http.get().uri("/v1/usage?tenant={t}", tenantId)).exchange().expectStatus().isOk()
                .expectBody().jsonPath("$.tenant.bytes").isEqualTo(50).jsonPath("$.tenant.quotaBytes").isEqualTo(50);
        asRoot(http.patch().uri("/v1/tenants/{t}", tenantId).contentType(MediaType.APPLICATION_JSON)
                .bodyValue("{\"quotaBytes\":null}")).exchange().expectStatus().isOk().expectBody();
        put(second, "c", 1);
    }
}
