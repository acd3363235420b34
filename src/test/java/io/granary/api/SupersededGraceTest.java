package io.granary.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.granary.storage.BlobLocation;
import io.granary.storage.BlobStore;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The bytes of a replaced version stay readable for the grace period (a reader that resolved it
 * just before the overwrite still opens them) and are deleted after it.
 */
class SupersededGraceTest extends ApiTestSupport {

    private static final Path OWN_DATA_DIR = tempDir();

    @Autowired
    BlobStore blobs;

    @DynamicPropertySource
    static void grace(DynamicPropertyRegistry registry) {
        registry.add("granary.test.data-dir", OWN_DATA_DIR::toString);
        registry.add("granary.test.superseded-grace", () -> "2s");
    }

    @Test
    void replacedBytesOutliveTheirVersionForTheGracePeriod() throws Exception {
        String tenantId = createTenant(unique("grace"));
        String key = createKey(tenantId, List.of("admin"), null);
        String bucket = unique("grace");
        createBucket(key, bucket, Map.of());
        String url = "/v1/buckets/" + bucket + "/objects/doc";
        http.put().uri(url).header("X-Api-Key", key).bodyValue("first").exchange().expectStatus().isOk().expectBody();
        String firstBlob = blobPathOfCurrentVersion(tenantId, url, key);
        http.put().uri(url).header("X-Api-Key", key).bodyValue("second").exchange().expectStatus().isOk().expectBody();

        BlobLocation first = new BlobLocation(firstBlob);
        assertThat(blobs.head(first).block()).as("still there within the grace period").isNotNull();
        long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        while (blobs.head(first).block() != null && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        assertThat(blobs.head(first).block()).as("deleted after the grace period").isNull();
        http.get().uri(url).header("X-Api-Key", key).exchange().expectBody(String.class).isEqualTo("second");
    }

    private String blobPathOfCurrentVersion(String tenantId, String url, String key) {
        String versionId = http.head().uri(url).header("X-Api-Key", key).exchange().returnResult(Void.class)
                .getResponseHeaders().getFirst("X-Version-Id");
        return blobs.list(BlobLocation.ROOT + tenantId + "/")
                .filter(info -> info.location().path().endsWith("/" + versionId))
                .map(info -> info.location().path())
                .blockFirst();
    }
}
