package io.granary.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Clients that read a large object slowly must not make the gateway buffer it: what the
 * gateway holds stays within a small bound however many bytes it has sent. Runs on the
 * filesystem store here (zero-copy file regions) and on S3 in {@link SlowReaderOnS3Test}
 * (bytes pass through the S3 client and Reactor Netty's send queue, which the send prefetch
 * caps).
 *
 * <p>Tagged {@value #MEMORY}: the build runs such tests in a JVM of their own, since direct
 * memory is measured for the whole JVM, and buffers of other tests' contexts (closed nodes,
 * threads' cached I/O buffers) are freed or taken there at any moment.
 */
@Tag(SlowReaderTest.MEMORY)
class SlowReaderTest extends ApiTestSupport {

    /** The tag of tests that measure the JVM's memory. */
    static final String MEMORY = "memory";


    static final long OBJECT_SIZE = 256L << 20;
    /** Each reader's pace: about 1 MB/s. */
    static final long BYTES_PER_SECOND = 1_000_000;
    static final long READ_MILLIS = 6_000;
    static final int READERS = 16;
    /**
     * Each reader gets at least this far (the pace is a target; a loaded machine and the
     * sampling's full collections slow it down): far beyond any buffer the gateway may keep.
     */
    static final long MIN_READ = 512L << 10;
    /**
     * What the gateway may hold for all slow downloads together beyond the baseline. With
     * Reactor Netty's default send prefetch (128 buffers) each S3 download held about 1 MiB.
     */
    static final long HEAP_BOUND = 3L << 20;
    /**
     * Direct memory comes in allocator chunks of up to 8 MiB (Netty's adaptive allocator, with
     * the test JVM's heap): two more chunks are not growth. Each slow S3 download holds up to 16
     * store reads of up to 256 KiB (see {@code SendPrefetch}); measured, the 16 readers together
     * stay one or two chunks above the baseline, flat. Unbounded buffering shows as hundreds of
     * MiB, and Reactor Netty's default prefetch (128) as up to 32 MiB per reader.
     */
    static final long DIRECT_BOUND = 16L << 20;

    @Test
    void slowReadersKeepTheGatewaysMemoryBounded() throws Exception {
        String key = newTenantAdmin();
        String bucket = unique("slow");
        createBucket(key, bucket, Map.of());
        String path = "/v1/buckets/" + bucket + "/objects/large.bin";
        RawHttp.Response put = RawHttp.put(port, path, key, OBJECT_SIZE, 7);
        assertThat(put.status()).as(put.bodyText()).isEqualTo(200);

        ExecutorService pool = Executors.newFixedThreadPool(READERS);
        try {
            // A first round, so that connections, pools and their chunks exist before the baseline.
            readConcurrently(pool, path, key, 1_500);
            MemoryProbe baseline = MemoryProbe.sample();
            List<Future<Long>> readers = readConcurrently(pool, path, key, READ_MILLIS);
            List<MemoryProbe> growth = new ArrayList<>();
            Thread.sleep(1_000);
            while (readers.stream().anyMatch(reader -> !reader.isDone())) {
                growth.add(MemoryProbe.sample().minus(baseline));
                Thread.sleep(500);
            }
            for (Future<Long> reader : readers) {
                assertThat(reader.get()).as("bytes read at the slow pace")
                        .isBetween(MIN_READ, OBJECT_SIZE / 4);
            }
            // Samples taken while the readers read (each forces a GC: a loaded machine takes fewer).
            assertThat(growth).hasSizeGreaterThanOrEqualTo(3);
            System.out.println(getClass().getSimpleName() + " memory growth: " + growth);
            String report = "growth over the baseline " + baseline + " while " + READERS + " clients read slowly: "
                    + growth + "; " + MemoryProbe.allocators();
            assertThat(growth).as(report).allSatisfy(sample -> {
                assertThat(sample.heapAfterGc()).isLessThan(HEAP_BOUND);
                // Two chunks are allowed (see DIRECT_BOUND): exactly two once failed a run.
                assertThat(sample.direct()).isLessThanOrEqualTo(DIRECT_BOUND);
            });
        } finally {
            pool.shutdownNow();
        }
    }

    private List<Future<Long>> readConcurrently(ExecutorService pool, String path, String key, long millis) throws Exception {
        List<Future<Long>> readers = new ArrayList<>();
        for (int i = 0; i < READERS; i++) {
            readers.add(pool.submit(() -> readSlowly(path, key, millis)));
        }
        if (millis < READ_MILLIS) {
            for (Future<Long> reader : readers) {
                reader.get();
            }
        }
        return readers;
    }

    /**
     * GETs the object on a socket with a small receive window and reads it at about 1 MB/s for
     * {@code millis}, checking every byte; then hangs up mid-body. Returns the bytes read.
     */
    private long readSlowly(String path, String key, long millis) throws Exception {
        try (Socket socket = RawHttp.connect(port, 32 * 1024, 30_000)) {
            RawHttp.head(socket.getOutputStream(), "GET", path, "X-Api-Key: " + key);
            InputStream in = socket.getInputStream();
            RawHttp.Response head = RawHttp.Response.read(in, false);
            assertThat(head.status()).isEqualTo(200);
            assertThat(head.header("content-length")).isEqualTo(Long.toString(OBJECT_SIZE));
            byte[] chunk = new byte[16 * 1024];
            long start = System.nanoTime();
            long read = 0;
            for (long elapsed = 0; elapsed < millis; elapsed = (System.nanoTime() - start) / 1_000_000) {
                long due = read * 1000 / BYTES_PER_SECOND;
                if (due > elapsed) {
                    Thread.sleep(Math.min(due - elapsed, 50));
                    continue;
                }
                int n = in.read(chunk);
                assertThat(n).as("body ended early").isPositive();
                for (int i = 0; i < n; i++) {
                    if (chunk[i] != RawHttp.patternByte(7, read + i)) {
                        throw new AssertionError("byte " + (read + i) + " differs from what was uploaded");
                    }
                }
                read += n;
            }
            socket.setSoLinger(true, 0); // hang up mid-body
            return read;
        }
    }
}
