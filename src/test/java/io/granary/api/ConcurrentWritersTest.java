package io.granary.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.granary.storage.BlobLocation;
import io.granary.storage.BlobStore;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.test.web.reactive.server.EntityExchangeResult;

/**
 * A hundred writers replacing one key at the same moment: the end state is exactly one of the
 * written versions, its bytes and its user metadata from the same writer, one record and one
 * blob. On the filesystem store here, on S3 in {@link ConcurrentWritersOnS3Test}.
 */
class ConcurrentWritersTest extends ApiTestSupport {

    static final int WRITERS = 100;

    @Autowired
    BlobStore blobs;

    @Test
    void hundredWritersLeaveExactlyOneConsistentVersion() throws Exception {
        String tenantId = createTenant(unique("cw"));
        String key = createKey(tenantId, List.of("admin"), null);
        String bucket = unique("cw");
        createBucket(key, bucket, Map.of());
        String path = "/v1/buckets/" + bucket + "/objects/contended";

        ExecutorService pool = Executors.newFixedThreadPool(WRITERS);
        CountDownLatch start = new CountDownLatch(1);
        try {
            List<Future<RawHttp.Response>> writers = new ArrayList<>();
            for (int i = 0; i < WRITERS; i++) {
                int writer = i;
                writers.add(pool.submit(() -> {
                    start.await();
                    return RawHttp.put(port, path, key, body(writer), "X-Meta-Writer: " + writer);
                }));
            }
            start.countDown();
            for (Future<RawHttp.Response> writer : writers) {
                RawHttp.Response answer = writer.get();
                assertThat(answer.status()).as(answer.bodyText()).isEqualTo(200);
            }
        } finally {
            pool.shutdownNow();
        }

        EntityExchangeResult<byte[]> result = http.get().uri(path).header("X-Api-Key", key).exchange()
                .expectStatus().isOk().expectBody(byte[].class).returnResult();
        String writer = result.getResponseHeaders().getFirst("X-Meta-Writer");
        assertThat(writer).isNotNull();
        assertThat(result.getResponseBody()).isEqualTo(body(Integer.parseInt(writer)));
        assertThat(keys(bucket, key)).containsExactly("contended");
        assertThat(blobs.list(BlobLocation.ROOT + tenantId + "/").collectList().block(Duration.ofSeconds(30))).hasSize(1);
    }

    /** Writer {@code i}'s bytes: its number throughout, about 40 KB (so the cache does not hold it). */
    private static byte[] body(int writer) {
        return ("writer-" + writer + "-").repeat(4000).getBytes(StandardCharsets.US_ASCII);
    }

    @SuppressWarnings("unchecked")
    private List<String> keys(String bucket, String key) {
        Map<String, Object> page = http.get().uri("/v1/buckets/" + bucket + "/objects").header("X-Api-Key", key)
                .exchange().expectStatus().isOk()
                .expectBody(new ParameterizedTypeReference<Map<String, Object>>() { }).returnResult().getResponseBody();
        return ((List<Map<String, Object>>) page.get("objects")).stream().map(o -> (String) o.get("key")).toList();
    }
}
