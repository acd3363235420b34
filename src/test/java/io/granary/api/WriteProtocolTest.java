package io.granary.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.granary.object.OrphanBlobSweeper;
import io.granary.storage.BlobLocation;
import io.granary.storage.BlobStore;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.core.io.buffer.DefaultDataBufferFactory;
import org.springframework.http.HttpStatus;
import reactor.core.publisher.Flux;

/**
 * The write protocol as seen from the disk: whatever happens to a write, the store holds
 * exactly the blobs that records point at, and no temporary file survives.
 */
class WriteProtocolTest extends ApiTestSupport {

    @Autowired
    BlobStore blobs;

    @Autowired
    OrphanBlobSweeper sweeper;

    private String tenantId;
    private String key;
    private String bucket;

    @BeforeEach
    void tenantAndBucket() {
        tenantId = createTenant(unique("wp"));
        key = createKey(tenantId, List.of("admin"), null);
        bucket = unique("wp");
        createBucket(key, bucket, Map.of());
    }

    private long blobFiles() throws IOException {
        Path dir = DATA_DIR.resolve("store/blobs/t").resolve(tenantId);
        if (!Files.exists(dir)) {
            return 0;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(Files::isRegularFile).count();
        }
    }

    private long temporaryFiles() throws IOException {
        try (Stream<Path> files = Files.list(DATA_DIR.resolve("store/tmp"))) {
            return files.count();
        }
    }

    private void awaitNoTemporaryFiles() throws Exception {
        // Requests of reset connections may still be arriving when the clients are done: none
        // for a whole second is quiet.
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        long quietSince = System.nanoTime();
        while (System.nanoTime() < deadline && System.nanoTime() - quietSince < Duration.ofSeconds(1).toNanos()) {
            if (temporaryFiles() > 0) {
                quietSince = System.nanoTime();
            }
            Thread.sleep(50);
        }
        assertThat(temporaryFiles()).isZero();
    }

    private String url(String objectKey) {
        return "/v1/buckets/" + bucket + "/objects/" + objectKey;
    }

    @Test
    void overwritesKeepExactlyOneBlobAndFailedWritesAddNone() throws Exception {
        http.put().uri(url("k")).header("X-Api-Key", key).bodyValue("one").exchange().expectStatus().isOk().expectBody();
        http.put().uri(url("k")).header("X-Api-Key", key).bodyValue("two").exchange().expectStatus().isOk().expectBody();
        assertThat(blobFiles()).isEqualTo(1);

        expectProblem(http.put().uri(url("k")).header("X-Api-Key", key).header("Content-MD5", "AAAAAAAAAAAAAAAAAAAAAA==")
                .bodyValue("three").exchange(), HttpStatus.BAD_REQUEST, "bad_digest");
        expectProblem(http.put().uri(url("k")).header("X-Api-Key", key).header("If-Match", "\"deadbeef\"")
                .bodyValue("four").exchange(), HttpStatus.PRECONDITION_FAILED, "precondition_failed");
        assertThat(blobFiles()).isEqualTo(1);
        http.get().uri(url("k")).header("X-Api-Key", key).exchange().expectBody(String.class).isEqualTo("two");

        http.delete().uri(url("k")).header("X-Api-Key", key).exchange().expectStatus().isNoContent();
        assertThat(blobFiles()).isZero();
        awaitNoTemporaryFiles();
    }

    @Test
    void bodyShorterThanContentLengthStoresNothing() throws Exception {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write(("PUT " + url("short") + " HTTP/1.1\r\nHost: localhost\r\nX-Api-Key: " + key
                    + "\r\nContent-Length: 100000\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.write(new byte[4000]);
            out.flush();
            socket.shutdownOutput();
            drain(socket.getInputStream());
        }
        awaitNoTemporaryFiles();
        expectProblem(http.get().uri(url("short")).header("X-Api-Key", key).exchange(), HttpStatus.NOT_FOUND, "object_not_found");
        assertThat(blobFiles()).isZero();
    }

    @Test
    void bytesBeyondContentLengthAreNotPartOfTheObject() throws Exception {
        String response;
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write(("PUT " + url("exact") + " HTTP/1.1\r\nHost: localhost\r\nX-Api-Key: " + key
                    + "\r\nContent-Length: 5\r\n\r\nhello, and more bytes than declared\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            socket.setSoTimeout(3000);
            response = new String(readQuietly(socket.getInputStream()), StandardCharsets.US_ASCII);
        }
        // HTTP framing ends the body at Content-Length: the object is exactly the declared bytes,
        // and the server closes the connection rather than read the rest as another request.
        assertThat(response).startsWith("HTTP/1.1 200").contains("\"size\":5").containsIgnoringCase("connection: close");
        assertThat(response.indexOf("HTTP/1.1", 1)).isEqualTo(-1);
        http.get().uri(url("exact")).header("X-Api-Key", key).exchange().expectBody(String.class).isEqualTo("hello");
    }

    @Test
    void clientAbortMidUploadStoresNothingAndKeepsThePreviousVersion() throws Exception {
        http.put().uri(url("abort")).header("X-Api-Key", key).bodyValue("previous").exchange().expectStatus().isOk().expectBody();
        for (int i = 0; i < 20; i++) {
            try (Socket socket = new Socket("127.0.0.1", port)) {
                OutputStream out = socket.getOutputStream();
                out.write(("PUT " + url("abort") + " HTTP/1.1\r\nHost: localhost\r\nX-Api-Key: " + key
                        + "\r\nTransfer-Encoding: chunked\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                byte[] chunk = new byte[65536];
                for (int c = 0; c < 8; c++) {
                    out.write((Integer.toHexString(chunk.length) + "\r\n").getBytes(StandardCharsets.US_ASCII));
                    out.write(chunk);
                    out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
                }
                out.flush();
                socket.setSoLinger(true, 0); // reset, as a crashed client would
            }
        }
        awaitNoTemporaryFiles();
        http.get().uri(url("abort")).header("X-Api-Key", key).exchange().expectBody(String.class).isEqualTo("previous");
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (blobFiles() > 1 && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertThat(blobFiles()).isEqualTo(1);
    }

    @Test
    void concurrentWritersLeaveExactlyOneCompleteVersion() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Callable<Integer>> writers = java.util.stream.IntStream.range(0, 16).<Callable<Integer>>mapToObj(i -> () -> {
                byte[] body = ("writer-" + i + "-").repeat(5000).getBytes(StandardCharsets.US_ASCII);
                return http.put().uri(url("contended")).header("X-Api-Key", key)
                        .body(Flux.just(DefaultDataBufferFactory.sharedInstance.wrap(body)), org.springframework.core.io.buffer.DataBuffer.class)
                        .exchange().expectBody().returnResult().getStatus().value();
            }).toList();
            for (Future<Integer> result : pool.invokeAll(writers)) {
                assertThat(result.get()).isEqualTo(200);
            }
        } finally {
            pool.shutdown();
        }
        String body = http.get().uri(url("contended")).header("X-Api-Key", key).exchange().expectStatus().isOk()
                .expectBody(String.class).returnResult().getResponseBody();
        String writer = body.substring(0, body.indexOf('-', "writer-".length()) + 1);
        assertThat(body).isEqualTo(writer.repeat(5000));
        assertThat(blobFiles()).isEqualTo(1);
    }

    @Test
    void sweeperReclaimsOnlyUnreferencedBlobs() throws Exception {
        http.put().uri(url("kept")).header("X-Api-Key", key).bodyValue("referenced").exchange().expectStatus().isOk().expectBody();
        BlobLocation orphan = BlobLocation.of(tenantId, "0123456789abcdef01234567", "76543210fedcba9876543210");
        blobs.put(orphan, Flux.just(DefaultDataBufferFactory.sharedInstance.wrap(new byte[] {1, 2, 3})), 3L, Map.of()).block();
        assertThat(blobFiles()).isEqualTo(2);

        // Younger than the safety age: untouched.
        sweeper.sweep(Instant.now().minus(Duration.ofHours(1))).block();
        assertThat(blobFiles()).isEqualTo(2);

        assertThat(sweeper.sweep(Instant.now().plusSeconds(60)).block()).isGreaterThanOrEqualTo(1L);
        assertThat(blobs.head(orphan).block()).isNull();
        assertThat(blobFiles()).isEqualTo(1);
        http.get().uri(url("kept")).header("X-Api-Key", key).exchange().expectBody(String.class).isEqualTo("referenced");
    }

    private static byte[] readQuietly(InputStream in) {
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        byte[] chunk = new byte[8192];
        try {
            for (int n; (n = in.read(chunk)) > 0; ) {
                bytes.write(chunk, 0, n);
            }
        } catch (IOException ignored) {
            // a reset or a read timeout after the last response is fine
        }
        return bytes.toByteArray();
    }

    private static void drain(InputStream in) {
        try {
            in.readAllBytes();
        } catch (IOException ignored) {
            // the server may reset the connection: all that matters is what it stored
        }
    }
}
