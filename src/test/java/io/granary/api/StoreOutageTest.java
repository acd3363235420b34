package io.granary.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.granary.storage.BlobInfo;
import io.granary.storage.BlobLocation;
import io.granary.storage.BlobStore;
import io.granary.testsupport.S3ProxyServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The S3 server killed ({@code SIGKILL}) in the middle of a download and in the middle of an
 * upload whose client keeps sending: the transfer stops within seconds; while the server is
 * down, uploads and downloads fail fast with a clear code; nothing partial becomes visible, the
 * previous version stays intact, and once the server is back on the same port and data the
 * gateway works again without a restart. The server is this class's own S3Proxy, not the
 * shared one. (An upload whose client stops sending when the store dies is not covered: the SDK
 * is then waiting for body bytes and does not notice the dead connection; see
 * docs/architecture.md.)
 */
class StoreOutageTest extends ApiTestSupport {

    private static final java.nio.file.Path OWN_DATA_DIR = tempDir();
    private static S3ProxyServer s3;
    /** How long a request may take to fail once the store is gone: fail fast, not at a timeout. */
    private static final long FAIL_FAST_MILLIS = 6_000;
    private static final int SIZE = 32 << 20;

    @Autowired
    BlobStore blobs;

    @DynamicPropertySource
    static void s3Store(DynamicPropertyRegistry registry) {
        s3 = S3ProxyServer.start();
        registry.add("granary.test.data-dir", OWN_DATA_DIR::toString);
        s3.registerAsStore(registry, "granary-outage-test");
        // A download whose store died fails after this much silence (see S3BlobStore.open).
        registry.add("granary.store.s3.read-timeout", () -> "2s");
    }

    @AfterAll
    static void stopStore() {
        s3.stop();
    }

    @Test
    void killedStoreFailsRequestsFastAndLosesNothing() throws Exception {
        String tenantId = createTenant(unique("outage"));
        String key = createKey(tenantId, List.of("admin"), null);
        String bucket = unique("outage");
        createBucket(key, bucket, Map.of());
        String path = "/v1/buckets/" + bucket + "/objects/kept";
        assertThat(RawHttp.put(port, path, key, SIZE, 1, "X-Meta-Version: previous").status()).isEqualTo(200);

        // Mid-download: the body stops (the status was sent already), well before its end.
        try (Socket socket = RawHttp.connect(port, 32 * 1024, 20_000)) {
            RawHttp.head(socket.getOutputStream(), "GET", path, "X-Api-Key: " + key);
            InputStream in = socket.getInputStream();
            assertThat(RawHttp.Response.read(in, false).status()).isEqualTo(200);
            byte[] chunk = new byte[8192];
            long read = 0;
            while (read < (1 << 20)) {
                read += in.read(chunk);
            }
            s3.kill();
            long killed = System.nanoTime();
            read += drain(in);
            assertThat(read).as("bytes received of a download cut off by the store").isLessThan(SIZE);
            assertThat(millisSince(killed)).isLessThan(FAIL_FAST_MILLIS);
        }

        s3.restart();
        // Mid-upload, the client still sending: the gateway answers 502/503 or, if the client's
        // bytes were still in flight when it closed the connection, resets it; fast either way.
        String replaced = "/v1/buckets/" + bucket + "/objects/kept";
        try (Socket socket = RawHttp.connect(port, 0, 20_000)) {
            RawHttp.head(socket.getOutputStream(), "PUT", replaced, "X-Api-Key: " + key, "Content-Length: " + SIZE,
                    "Connection: close");
            byte[] chunk = new byte[64 * 1024];
            long sent = 0;
            long killed = 0;
            try {
                while (sent < SIZE) {
                    RawHttp.fill(chunk, chunk.length, 9, sent);
                    socket.getOutputStream().write(chunk);
                    sent += chunk.length;
                    if (killed == 0 && sent >= 4 << 20) {
                        s3.kill();
                        killed = System.nanoTime();
                    }
                }
                RawHttp.Response answer = RawHttp.Response.read(socket.getInputStream(), true);
                assertStoreProblem(answer);
            } catch (IOException reset) {
                // The answer was lost in a reset: the gateway closed the connection on the upload.
            }
            assertThat(killed).as("the store was killed mid-upload").isPositive();
            assertThat(millisSince(killed)).isLessThan(FAIL_FAST_MILLIS);
        }

        // While the store is down: clear answers, fast; the failed upload leaves nothing.
        expectStoreDown(() -> RawHttp.put(port, path, key, 1000, 2));
        expectStoreDown(() -> get(path, key));
        expectStoreDown(() -> RawHttp.put(port, "/v1/buckets/" + bucket + "/objects/new", key, 1000, 2));
        s3.restart();

        // Back again, without restarting the gateway: the old version, nothing else; writes work.
        assertIntact(path, key);
        assertThat(blobsOf(tenantId)).hasSize(1);
        String other = "/v1/buckets/" + bucket + "/objects/after";
        assertThat(RawHttp.put(port, other, key, 5000, 4).status()).isEqualTo(200);
        http.get().uri(other).header("X-Api-Key", key).exchange().expectStatus().isOk()
                .expectBody(byte[].class).value(body -> assertThat(body).hasSize(5000));
        assertThat(keys(bucket, key)).containsExactly("after", "kept");
    }

    private void expectStoreDown(java.util.concurrent.Callable<RawHttp.Response> request) throws Exception {
        long start = System.nanoTime();
        RawHttp.Response answer = request.call();
        assertThat(millisSince(start)).isLessThan(FAIL_FAST_MILLIS);
        assertStoreProblem(answer);
    }

    private static void assertStoreProblem(RawHttp.Response answer) {
        assertThat(answer.status()).as(answer.bodyText()).isIn(502, 503);
        assertThat(answer.header("content-type")).startsWith("application/problem+json");
        assertThat(answer.bodyText()).containsAnyOf("\"code\":\"store_unavailable\"", "\"code\":\"store_error\"");
    }

    private RawHttp.Response get(String path, String key) throws IOException {
        try (Socket socket = RawHttp.connect(port, 0, 20_000)) {
            RawHttp.head(socket.getOutputStream(), "GET", path, "X-Api-Key: " + key, "Connection: close");
            return RawHttp.Response.read(socket.getInputStream(), true);
        }
    }

    private void assertIntact(String path, String key) {
        byte[] body = http.get().uri(path).header("X-Api-Key", key).exchange().expectStatus().isOk()
                .expectHeader().valueEquals("X-Meta-Version", "previous")
                .expectBody(byte[].class).returnResult().getResponseBody();
        assertThat(body).hasSize(SIZE);
        for (int i = 0; i < SIZE; i++) {
            if (body[i] != RawHttp.patternByte(1, i)) {
                throw new AssertionError("byte " + i + " of the previous version changed");
            }
        }
    }

    private List<BlobInfo> blobsOf(String tenantId) {
        return blobs.list(BlobLocation.ROOT + tenantId + "/").collectList().block(Duration.ofSeconds(30));
    }

    @SuppressWarnings("unchecked")
    private List<String> keys(String bucket, String key) {
        Map<String, Object> page = http.get().uri("/v1/buckets/" + bucket + "/objects").header("X-Api-Key", key)
                .exchange().expectStatus().isOk()
                .expectBody(new ParameterizedTypeReference<Map<String, Object>>() { }).returnResult().getResponseBody();
        return ((List<Map<String, Object>>) page.get("objects")).stream().map(o -> (String) o.get("key")).toList();
    }

    private static long drain(InputStream in) {
        long read = 0;
        byte[] chunk = new byte[65536];
        try {
            for (int n; (n = in.read(chunk)) > 0; ) {
                read += n;
            }
        } catch (IOException cut) {
            // a reset ends the body as well as a close does
        }
        return read;
    }

    private static long millisSince(long nanos) {
        return (System.nanoTime() - nanos) / 1_000_000;
    }
}
