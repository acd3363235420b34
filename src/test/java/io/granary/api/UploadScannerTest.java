package io.granary.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.granary.error.ErrorCode;
import io.granary.error.GranaryException;
import io.granary.scan.UploadScanner;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import reactor.core.publisher.Mono;

/** A plugged-in scanner sees every upload's stored bytes before they become visible, and can refuse them. */
@Import(UploadScannerTest.Scanner.class)
class UploadScannerTest extends ApiTestSupport {

    private static final Path OWN_DATA_DIR = tempDir();
    static final String MARKER = "EICAR-STANDARD-ANTIVIRUS-TEST-FILE";
    static final java.util.concurrent.atomic.AtomicInteger SCANNED = new java.util.concurrent.atomic.AtomicInteger();

    @DynamicPropertySource
    static void ownDataDir(DynamicPropertyRegistry registry) {
        registry.add("granary.test.data-dir", OWN_DATA_DIR::toString);
        registry.add("granary.scan.timeout", () -> "1s");
    }

    /** Refuses content containing the EICAR marker; reads (and releases) the stored bytes to decide. */
    @TestConfiguration
    static class Scanner {
        @Bean
        UploadScanner markerScanner() {
            return upload -> DataBufferUtils.join(upload.bytes()).defaultIfEmpty(
                    org.springframework.core.io.buffer.DefaultDataBufferFactory.sharedInstance.allocateBuffer(0)).flatMap(joined -> {
                SCANNED.incrementAndGet();
                String text = joined.toString(StandardCharsets.ISO_8859_1);
                DataBufferUtils.release(joined);
                if (text.contains("HANG")) {
                    return Mono.never(); // a scanner that stopped answering
                }
                return text.contains(MARKER)
                        ? Mono.error(new GranaryException(ErrorCode.CONTENT_REJECTED, "Malware found in " + upload.key() + "."))
                        : Mono.<Void>empty();
            });
        }
    }

    @Test
    void rejectedUploadsLeaveNothingBehindAndCopiesAreScannedToo() throws IOException {
        String tenantId = createTenant(unique("scan"));
        String key = createKey(tenantId, List.of("admin"), null);
        String bucket = unique("scan");
        createBucket(key, bucket, Map.of());
        String url = "/v1/buckets/" + bucket + "/objects/doc.txt";
        http.put().uri(url).header("X-Api-Key", key).contentType(MediaType.TEXT_PLAIN).bodyValue("clean")
                .exchange().expectStatus().isOk().expectBody();

        expectProblem(http.put().uri(url).header("X-Api-Key", key).contentType(MediaType.TEXT_PLAIN)
                .bodyValue("X5O!P%@AP[4\\PZX54(P^)7CC)7}$" + MARKER + "!$H+H*").exchange(),
                HttpStatus.UNPROCESSABLE_CONTENT, "content_rejected");
        http.get().uri(url).header("X-Api-Key", key).exchange().expectBody(String.class).isEqualTo("clean");

        // No verdict in time: the upload fails and leaves nothing.
        expectProblem(http.put().uri(url).header("X-Api-Key", key).contentType(MediaType.TEXT_PLAIN).bodyValue("HANG")
                .exchange(), HttpStatus.SERVICE_UNAVAILABLE, "scan_unavailable");
        http.get().uri(url).header("X-Api-Key", key).exchange().expectBody(String.class).isEqualTo("clean");

        http.put().uri("/v1/buckets/{b}/objects/dirty-copy-source", bucket).header("X-Api-Key", key)
                .bodyValue("fine").exchange().expectStatus().isOk().expectBody();
        assertThat(blobFiles(tenantId)).isEqualTo(2);
        int before = SCANNED.get();
        http.post().uri("/v1/buckets/{b}/copy", bucket).header("X-Api-Key", key).contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Map.of("sourceKey", "dirty-copy-source", "key", "copied")).exchange().expectStatus().isOk().expectBody();
        assertThat(SCANNED.get()).isEqualTo(before + 1);
        http.delete().uri("/v1/buckets/{b}/objects/copied", bucket).header("X-Api-Key", key).exchange()
                .expectStatus().isNoContent();
        http.get().uri("/v1/usage").header("X-Api-Key", key).exchange().expectBody()
                .jsonPath("$.tenant.objects").isEqualTo(2).jsonPath("$.tenant.bytes").isEqualTo(9);
    }

    private static long blobFiles(String tenantId) throws IOException {
        Path dir = OWN_DATA_DIR.resolve("store/blobs/t").resolve(tenantId);
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(Files::isRegularFile).count();
        }
    }
}
