package io.granary.upload;

import static org.assertj.core.api.Assertions.assertThat;

import io.granary.api.ApiTestSupport;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.data.mongodb.core.ReactiveMongoTemplate;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * A tus client that stops sending in the middle of a PATCH without closing its connection (a
 * laptop gone to sleep) loses the PATCH after {@code granary.http.read-timeout}: its connection
 * is closed, its lock released and every byte it sent kept (whole parts, and the half part as the
 * tail), so the client can resume later from there, on this node or another. In a context of
 * its own with a 2 s timeout.
 */
class TusStalledClientTest extends ApiTestSupport {

    private static final long READ_TIMEOUT_MILLIS = 2000;
    private static final int PART_SIZE = 64 * 1024;
    private static final Path OWN_DATA_DIR = tempDir();

    @DynamicPropertySource
    static void shortReadTimeout(DynamicPropertyRegistry registry) {
        registry.add("granary.test.data-dir", OWN_DATA_DIR::toString);
        registry.add("granary.multipart.min-part-size", () -> PART_SIZE + "B");
        registry.add("granary.tus.part-size", () -> PART_SIZE + "B");
        registry.add("granary.http.read-timeout", () -> READ_TIMEOUT_MILLIS + "ms");
    }

    @Autowired
    ReactiveMongoTemplate mongo;

    @Test
    void aStalledPatchIsCutOffAfterTheReadTimeoutAndTheUploadResumes() throws Exception {
        String admin = createKey(createTenant(unique("stall")), List.of("admin"), null);
        String bucket = unique("stall");
        createBucket(admin, bucket, Map.of());
        byte[] data = new byte[3 * PART_SIZE];
        new Random().nextBytes(data);
        URI upload = http.post().uri("/v1/tus/{b}", bucket).header("X-Api-Key", admin).header("Tus-Resumable", "1.0.0")
                .header("Upload-Length", Integer.toString(data.length))
                .header("Upload-Metadata", "key " + Base64.getEncoder().encodeToString("stalled.bin".getBytes(StandardCharsets.UTF_8)))
                .exchange().expectStatus().isCreated().expectBody().isEmpty().getResponseHeaders().getLocation();
        String id = upload.getPath().substring(upload.getPath().lastIndexOf('/') + 1);
        int sent = PART_SIZE + PART_SIZE / 2;

        try (Socket socket = new Socket("127.0.0.1", port)) {
            OutputStream out = socket.getOutputStream();
            out.write(("PATCH " + upload.getRawPath() + " HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\nX-Api-Key: " + admin
                    + "\r\nTus-Resumable: 1.0.0\r\nUpload-Offset: 0\r\nContent-Type: application/offset+octet-stream"
                    + "\r\nContent-Length: " + data.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.write(data, 0, sent);
            out.flush();
            long stalledAt = System.nanoTime();
            // The client now sends nothing more and keeps its connection open.
            for (int i = 0; i < 200 && record(id).lockOwner() == null; i++) {
                Thread.sleep(25);
            }
            assertThat(record(id).lockOwner()).as("lock taken by the stalled PATCH").isNotNull();
            long released = -1;
            for (int i = 0; i < 600 && released < 0; i++) {
                if (record(id).lockOwner() == null) {
                    released = (System.nanoTime() - stalledAt) / 1_000_000;
                } else {
                    Thread.sleep(25);
                }
            }
            assertThat(released).as("ms until the lock was released").isBetween(READ_TIMEOUT_MILLIS - 500, 12_000L);
            // The server closed the connection (with or without an answer first).
            socket.setSoTimeout(10_000);
            InputStream in = socket.getInputStream();
            in.readAllBytes();
        }

        assertThat(record(id).offset()).as("every byte received before the stall is kept").isEqualTo(sent);
        assertThat(record(id).tailPath()).as("the half part is the tail").isNotNull();
        http.patch().uri(upload).header("X-Api-Key", admin).header("Tus-Resumable", "1.0.0")
                .header("Upload-Offset", Integer.toString(sent)).header("Content-Type", "application/offset+octet-stream")
                .bodyValue(java.util.Arrays.copyOfRange(data, sent, data.length))
                .exchange().expectStatus().isNoContent().expectBody().isEmpty();
        byte[] read = http.get().uri("/v1/buckets/{b}/objects/stalled.bin", bucket).header("X-Api-Key", admin).exchange()
                .expectStatus().isOk().expectBody(byte[].class).returnResult().getResponseBody();
        assertThat(read).isEqualTo(data);
    }

    private TusUpload record(String id) {
        return mongo.findById(id, TusUpload.class).block();
    }
}
