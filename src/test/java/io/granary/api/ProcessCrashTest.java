package io.granary.api;

import static org.assertj.core.api.Assertions.assertThat;

import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.backend.memory.MemoryBackend;
import io.granary.GranaryApplication;
import java.io.IOException;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;

/**
 * A Granary process killed with {@code SIGKILL} while uploads are in flight, then started again
 * on the same data directory and MongoDB-wire server (which outlives it, in this JVM): no
 * partial object is visible, every record's blob exists, and the orphan sweeper reclaims blobs
 * no record points at (a kill between storing a blob and committing its record leaves one; the
 * test plants one, since its kill rarely hits that window). Granary runs as its own OS process, from this JVM's
 * class path.
 */
class ProcessCrashTest {

    private static final int UPLOADS = 20;
    private static final long SIZE = 8L << 20;

    private MongoServer mongo;
    private Path dataDir;
    private int port;
    private Process granary;

    @BeforeEach
    void sharedMetadata() throws IOException {
        mongo = new MongoServer(new MemoryBackend());
        mongo.bind("127.0.0.1", 0);
        dataDir = Files.createTempDirectory("granary-crash-");
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
    }

    @AfterEach
    void stop() {
        if (granary != null) {
            granary.destroyForcibly();
        }
        mongo.shutdownNow();
    }

    @Test
    void killedProcessLeavesNoPartialObjectAndItsOrphansAreSwept() throws Exception {
        granary = startGranary();
        WebTestClient http = WebTestClient.bindToServer().baseUrl("http://127.0.0.1:" + port)
                .responseTimeout(Duration.ofSeconds(60))
                .codecs(codecs -> codecs.defaultCodecs().maxInMemorySize(64 * 1024 * 1024)).build();
        String tenantId = (String) http.post().uri("/v1/tenants").header("Authorization", "Bearer " + ApiTestSupport.ROOT_KEY)
                .contentType(MediaType.APPLICATION_JSON).bodyValue(Map.of("name", "crash"))
                .exchange().expectStatus().isCreated().expectBody(Map.class).returnResult().getResponseBody().get("id");
        String key = (String) http.post().uri("/v1/tenants/{id}/keys", tenantId).header("Authorization", "Bearer " + ApiTestSupport.ROOT_KEY)
                .contentType(MediaType.APPLICATION_JSON).bodyValue(Map.of("name", "k", "permissions", List.of("admin")))
                .exchange().expectStatus().isCreated().expectBody(Map.class).returnResult().getResponseBody().get("secret");
        http.post().uri("/v1/buckets").header("X-Api-Key", key).contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Map.of("name", "crash")).exchange().expectStatus().isCreated().expectBody();
        String kept = "/v1/buckets/crash/objects/kept";
        assertThat(RawHttp.put(port, kept, key, SIZE, 100).status()).isEqualTo(200);

        // Uploads at different stages: some complete before the kill, most are cut off.
        ExecutorService pool = Executors.newFixedThreadPool(UPLOADS);
        try {
            for (int i = 0; i < UPLOADS; i++) {
                int upload = i;
                pool.submit(() -> upload(replacesKept(upload) ? kept : "/v1/buckets/crash/objects/new-" + upload, key, upload));
            }
            Thread.sleep(2_000);
            granary.destroyForcibly().waitFor(10, TimeUnit.SECONDS); // SIGKILL on POSIX
        } finally {
            pool.shutdownNow();
            pool.awaitTermination(10, TimeUnit.SECONDS);
        }

        // The narrow window a kill rarely hits (blob renamed into place, record not yet
        // committed) leaves a blob without a record: plant one, as that crash would.
        Path orphan = dataDir.resolve("store/blobs/t").resolve(tenantId)
                .resolve("0123456789abcdef01234567/76543210fedcba9876543210");
        Files.createDirectories(orphan.getParent());
        Files.write(orphan, new byte[1000]);

        granary = startGranary();
        List<String> keys = keys(http, key);
        assertThat(keys).contains("kept");
        // The slow uploads (3.2 s at least) were all cut off: none of them is visible.
        assertThat(keys).noneMatch(k -> k.startsWith("new-") && Integer.parseInt(k.substring(4)) % 2 == 1);
        System.out.println("ProcessCrashTest: visible after the crash " + keys + ", blob files at restart "
                + blobFiles(tenantId));
        for (String objectKey : keys) {
            // Every visible object is complete and whole: its record's blob exists.
            byte[] body = http.get().uri("/v1/buckets/crash/objects/" + objectKey).header("X-Api-Key", key).exchange()
                    .expectStatus().isOk().expectBody(byte[].class).returnResult().getResponseBody();
            assertThat(body).as(objectKey).hasSize((int) SIZE);
            long seed = objectKey.equals("kept") ? body[0] == RawHttp.patternByte(100, 0) ? 100 : -1 : Long.parseLong(objectKey.substring(4));
            if (seed < 0) {
                continue; // "kept" was replaced by one of the uploads before the kill: checked via its own key below
            }
            for (int i = 0; i < SIZE; i += 4099) {
                assertThat(body[i]).as(objectKey + " byte " + i).isEqualTo(RawHttp.patternByte(seed, i));
            }
        }
        // The sweeper (every 2 s, safety age 1 s) reclaims the blobs no record points at.
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (blobFiles(tenantId) > keys.size() && System.nanoTime() < deadline) {
            Thread.sleep(500);
        }
        assertThat(blobFiles(tenantId)).as("blobs on disk for " + keys.size() + " objects").isEqualTo(keys.size());
        assertThat(orphan).doesNotExist();
    }

    /** Every fifth upload replaces {@code kept}; the others create keys of their own. */
    private static boolean replacesKept(int upload) {
        return upload % 5 == 0;
    }

    private void upload(String path, String key, int seed) {
        try (Socket socket = RawHttp.connect(port, 0, 30_000)) {
            OutputStream out = socket.getOutputStream();
            RawHttp.head(out, "PUT", path, "X-Api-Key: " + key, "Content-Length: " + SIZE, "Connection: close");
            byte[] chunk = new byte[256 * 1024];
            for (long sent = 0; sent < SIZE; sent += chunk.length) {
                RawHttp.fill(chunk, chunk.length, seed, sent);
                out.write(chunk);
                if (seed % 2 == 1) {
                    Thread.sleep(100); // odd uploads are slow: still in flight at the kill
                }
            }
            out.flush();
            RawHttp.Response.read(socket.getInputStream(), true);
        } catch (IOException | InterruptedException cut) {
            // the process died
        }
    }

    @SuppressWarnings("unchecked")
    private static List<String> keys(WebTestClient http, String key) {
        Map<String, Object> page = http.get().uri("/v1/buckets/crash/objects").header("X-Api-Key", key)
                .exchange().expectStatus().isOk()
                .expectBody(new ParameterizedTypeReference<Map<String, Object>>() { }).returnResult().getResponseBody();
        return ((List<Map<String, Object>>) page.get("objects")).stream().map(o -> (String) o.get("key")).toList();
    }

    private long blobFiles(String tenantId) throws IOException {
        Path dir = dataDir.resolve("store/blobs/t").resolve(tenantId);
        if (!Files.exists(dir)) {
            return 0;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(Files::isRegularFile).count();
        }
    }

    private Process startGranary() throws Exception {
        Path java = Paths.get(System.getProperty("java.home"), "bin", "java");
        List<String> command = new ArrayList<>(List.of(java.toString(), "-Xmx512m",
                "-cp", System.getProperty("java.class.path"), GranaryApplication.class.getName(),
                "--server.port=" + port,
                "--granary.data-dir=" + dataDir,
                "--granary.root-key=" + ApiTestSupport.ROOT_KEY,
                "--granary.admin-password=" + ApiTestSupport.ADMIN_PASSWORD,
                "--spring.mongodb.uri=mongodb://127.0.0.1:" + mongo.getLocalAddress().getPort() + "/granary",
                "--granary.sweeper.interval=2s",
                "--granary.sweeper.safety-age=1s",
                "--granary.store.superseded-grace=0s",
                "--spring.main.banner-mode=off"));
        Process process = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(dataDir.resolve("granary.log").toFile())).start();
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("Granary exited: " + Files.readString(dataDir.resolve("granary.log")));
            }
            try (Socket probe = new Socket("127.0.0.1", port)) {
                return process;
            } catch (IOException notYet) {
                Thread.sleep(250);
            }
        }
        process.destroyForcibly();
        throw new IllegalStateException("Granary did not listen within 120 s: " + Files.readString(dataDir.resolve("granary.log")));
    }
}
