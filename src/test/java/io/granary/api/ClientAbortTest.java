package io.granary.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.granary.storage.BlobInfo;
import io.granary.storage.BlobLocation;
import io.granary.storage.BlobStore;
import io.granary.testsupport.LeakRecorder;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.core.ParameterizedTypeReference;

/**
 * Hundreds of clients hanging up in the middle of uploads and downloads, 20 at a time: nothing
 * of an aborted upload becomes visible (no record, no blob, no temporary file), the previous
 * version stays intact, and every buffer is released (the leak detector runs at PARANOID; direct
 * memory returns to its baseline). {@link WriteProtocolTest} covers single aborts; this is the
 * same under load, on the filesystem store here and on S3 in {@link ClientAbortOnS3Test}.
 */
class ClientAbortTest extends ApiTestSupport {

    static final int ABORTS = 200;
    static final int CONCURRENCY = 20;
    /**
     * Buffers that may still be alive after the aborts beyond those alive before: a few taken by
     * the server's own background work meanwhile. A leak of one buffer in ten aborts exceeds it.
     * Counted buffer by buffer ({@link LeakRecorder#liveBuffers()}), not as direct memory: the
     * allocator keeps the chunks of its busiest moment for reuse, and on a loaded machine that
     * moment is busier (the process-wide figure once grew 7.5 MiB in the measured round with no
     * buffer leaked).
     */
    static final long LIVE_BUFFER_SLACK = ABORTS / 10;

    @Autowired
    BlobStore blobs;

    /** This context's data directory (the S3 variant has its own). */
    @Value("${granary.data-dir}")
    Path dataDir;

    private String tenantId;
    private String key;
    private String bucket;
    private ExecutorService pool;

    @BeforeEach
    void tenantAndBucket() {
        tenantId = createTenant(unique("abort"));
        key = createKey(tenantId, List.of("admin"), null);
        bucket = unique("abort");
        createBucket(key, bucket, Map.of());
        pool = Executors.newFixedThreadPool(CONCURRENCY);
    }

    @AfterEach
    void stopPool() {
        pool.shutdownNow();
    }

    private String path(String objectKey) {
        return "/v1/buckets/" + bucket + "/objects/" + objectKey;
    }

    @Test
    void abortedUploadsLeaveNothingBehind() throws Exception {
        http.put().uri(path("kept")).header("X-Api-Key", key).header("X-Meta-Writer", "first")
                .bodyValue("previous").exchange().expectStatus().isOk().expectBody();
        java.util.function.IntFunction<Callable<Void>> abortedUpload = i -> () -> {
            // Half replace the existing key, half would create new ones; half declare a length,
            // half stream chunks (on S3 those become multipart uploads).
            String target = i % 2 == 0 ? "kept" : "new-" + i;
            boolean chunked = i % 4 < 2;
            try (Socket socket = RawHttp.connect(port, 0, 10_000)) {
                OutputStream out = socket.getOutputStream();
                RawHttp.head(out, "PUT", path(target), "X-Api-Key: " + key, "X-Meta-Writer: aborted-" + i,
                        chunked ? "Transfer-Encoding: chunked" : "Content-Length: " + (4 << 20));
                byte[] chunk = new byte[64 * 1024];
                for (int c = 0; c < 4; c++) {
                    RawHttp.fill(chunk, chunk.length, i, (long) c * chunk.length);
                    if (chunked) {
                        out.write((Integer.toHexString(chunk.length) + "\r\n").getBytes(StandardCharsets.US_ASCII));
                    }
                    out.write(chunk);
                    if (chunked) {
                        out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
                    }
                }
                out.flush();
                if (i % 8 < 4) {
                    socket.setSoLinger(true, 0); // a reset, as a crashed client sends
                } else {
                    socket.shutdownOutput(); // an end of stream mid-body, as a killed client process sends
                }
            }
            return null;
        };
        // A first round, so that connections and allocator chunks exist before the baseline.
        runAll(ABORTS, CONCURRENCY, abortedUpload);
        awaitQuiet();
        MemoryProbe baseline = MemoryProbe.sample();
        runAll(0, ABORTS, abortedUpload);

        awaitQuiet();
        assertBuffersReleased(baseline);
        http.get().uri(path("kept")).header("X-Api-Key", key).exchange().expectStatus().isOk()
                .expectHeader().valueEquals("X-Meta-Writer", "first")
                .expectBody(String.class).isEqualTo("previous");
        assertThat(keys()).containsExactly("kept");
        assertThat(blobsOfTenant()).hasSize(1);
    }

    @Test
    void abortedDownloadsReleaseEverything() throws Exception {
        int size = 4 << 20;
        RawHttp.Response put = RawHttp.put(port, path("big"), key, size, 3);
        assertThat(put.status()).isEqualTo(200);
        java.util.function.IntFunction<Callable<Void>> abortedDownload = i -> () -> {
            try (Socket socket = RawHttp.connect(port, 16 * 1024, 10_000)) {
                String[] headers = i % 2 == 0 ? new String[] {"X-Api-Key: " + key}
                        : new String[] {"X-Api-Key: " + key, "Range: bytes=1000-" + (size - 1000)};
                RawHttp.head(socket.getOutputStream(), "GET", path("big"), headers);
                InputStream in = socket.getInputStream();
                RawHttp.Response head = RawHttp.Response.read(in, false);
                assertThat(head.status()).isIn(200, 206);
                byte[] chunk = new byte[8192];
                for (int read = 0; read < 64 * 1024; ) {
                    int n = in.read(chunk);
                    assertThat(n).isPositive();
                    read += n;
                }
                socket.setSoLinger(true, 0);
            }
            return null;
        };
        // A first round as large as the measured one: Netty's allocator keeps the chunks of the
        // busiest moment for reuse (on S3 every download reads into pooled buffers), so the
        // baseline includes that working set; the measured round must then add nothing to it.
        runAll(0, ABORTS, abortedDownload);
        awaitQuiet();
        MemoryProbe baseline = MemoryProbe.sample();
        runAll(0, ABORTS, abortedDownload);

        awaitQuiet();
        // Before the check below, whose client (in this JVM) takes buffers of its own.
        assertBuffersReleased(baseline);
        byte[] body = http.get().uri(path("big")).header("X-Api-Key", key).exchange().expectStatus().isOk()
                .expectBody(byte[].class).returnResult().getResponseBody();
        assertThat(body).hasSize(size);
        for (int i = 0; i < size; i += 4099) {
            assertThat(body[i]).isEqualTo(RawHttp.patternByte(3, i));
        }
        assertThat(blobsOfTenant()).hasSize(1);
    }

    /** Runs clients {@code first} to {@code first + count - 1}, {@value #CONCURRENCY} at a time. */
    private void runAll(int first, int count, java.util.function.IntFunction<Callable<Void>> client) throws Exception {
        List<Future<Void>> results = new ArrayList<>();
        for (int i = first; i < first + count; i++) {
            results.add(pool.submit(client.apply(i)));
        }
        for (Future<Void> result : results) {
            result.get();
        }
    }

    /** Waits until the gateway has cleaned up after the aborted requests (temporary files gone, discarded blobs deleted). */
    private void awaitQuiet() throws Exception {
        // The server may still be taking the last reset connections' requests off their sockets
        // when the clients are done: quiet means quiet for a whole second.
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        long quietSince = 0;
        while (System.nanoTime() < deadline) {
            if (temporaryFiles() > 0 || blobsOfTenant().size() > 1) {
                quietSince = 0;
            } else if (quietSince == 0) {
                quietSince = System.nanoTime();
            } else if (System.nanoTime() - quietSince > Duration.ofSeconds(1).toNanos()) {
                break;
            }
            Thread.sleep(100);
        }
        assertThat(temporaryFiles()).as("temporary upload files").isZero();
    }

    private long temporaryFiles() throws Exception {
        Path tmp = dataDir.resolve("store/tmp");
        if (!Files.isDirectory(tmp)) {
            return 0; // not the filesystem store
        }
        try (Stream<Path> files = Files.list(tmp)) {
            return files.count();
        }
    }

    private List<BlobInfo> blobsOfTenant() {
        return blobs.list(BlobLocation.ROOT + tenantId + "/").collectList().block(Duration.ofSeconds(30));
    }

    @SuppressWarnings("unchecked")
    private List<String> keys() {
        Map<String, Object> page = http.get().uri("/v1/buckets/" + bucket + "/objects").header("X-Api-Key", key)
                .exchange().expectStatus().isOk()
                .expectBody(new ParameterizedTypeReference<Map<String, Object>>() { }).returnResult().getResponseBody();
        return ((List<Map<String, Object>>) page.get("objects")).stream().map(o -> (String) o.get("key")).toList();
    }

    private static void assertBuffersReleased(MemoryProbe baseline) throws InterruptedException {
        // Buffers of the last requests are released as their connections close: give them a moment.
        long live = LeakRecorder.liveBuffers() - baseline.liveBuffers();
        for (int i = 0; i < 50 && live >= LIVE_BUFFER_SLACK; i++) {
            Thread.sleep(100);
            live = LeakRecorder.liveBuffers() - baseline.liveBuffers();
        }
        assertThat(live).as("buffers alive after the aborts beyond those before (%s now, %s before; %s)",
                MemoryProbe.sample(), baseline, MemoryProbe.allocators()).isLessThan(LIVE_BUFFER_SLACK);
    }
}
