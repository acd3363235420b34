package io.granary.upload;

import static org.assertj.core.api.Assertions.assertThat;

import io.granary.api.ApiTestSupport;
import io.granary.storage.BlobLocation;
import io.granary.storage.BlobStore;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Consumer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.data.mongodb.core.ReactiveMongoTemplate;
import org.springframework.data.mongodb.core.query.Criteria;
import org.springframework.data.mongodb.core.query.Query;
import org.springframework.data.mongodb.core.query.Update;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;

/**
 * The tus 1.0.0 front-end end to end on the filesystem store, with 64 KiB parts
 * ({@link TusApiOnS3Test} runs the same on S3Proxy with 5 MiB parts): discovery, creation
 * (with upload, deferred length), PATCHes of uneven sizes across part boundaries, offsets,
 * checksums, the lock, termination, expiry and PATCHes cut off mid-body (reset, or ended by
 * the client) then resumed.
 */
class TusApiTest extends ApiTestSupport {

    static final MediaType OFFSET_STREAM = MediaType.parseMediaType("application/offset+octet-stream");

    private static final Path OWN_DATA_DIR = tempDir();

    @DynamicPropertySource
    static void smallParts(DynamicPropertyRegistry registry) {
        registry.add("granary.test.data-dir", () -> "${granary.test.tus-data-dir:" + OWN_DATA_DIR + "}");
        registry.add("granary.multipart.min-part-size", () -> "${granary.test.min-part-size:64KB}");
        registry.add("granary.tus.part-size", () -> "${granary.test.min-part-size:64KB}");
    }

    @Autowired
    ReactiveMongoTemplate mongo;

    @Autowired
    BlobStore store;

    @Autowired
    TusSweeper sweeper;

    private final Random random = new Random();
    protected String admin;
    protected String bucket;

    /** The tus part size configured for this class. */
    protected int partSize() {
        return 64 * 1024;
    }

    @BeforeEach
    void tenantAndBucket() {
        String tenantId = createTenant(unique("tus"));
        admin = createKey(tenantId, List.of("admin"), null);
        bucket = unique("tus");
        createBucket(admin, bucket, Map.of());
    }

    @Test
    void optionsAdvertisesVersionExtensionsChecksumsAndMaxSizeWithoutACredential() {
        http.options().uri("/v1/tus/{b}", bucket).exchange()
                .expectStatus().isNoContent()
                .expectHeader().valueEquals("Tus-Resumable", "1.0.0")
                .expectHeader().valueEquals("Tus-Version", "1.0.0")
                .expectHeader().valueEquals("Tus-Extension",
                        "creation,creation-with-upload,creation-defer-length,termination,expiration,checksum")
                .expectHeader().valueEquals("Tus-Checksum-Algorithm", "sha1,sha256")
                .expectHeader().valueEquals("Tus-Max-Size", Long.toString(10_000L * partSize()))
                .expectBody().isEmpty();
    }

    @Test
    void requestsWithoutTusResumableAre412AndEveryAnswerCarriesTheHeader() {
        expectProblem(http.post().uri("/v1/tus/{b}", bucket).header("X-Api-Key", admin).header("Upload-Length", "10")
                        .exchange().expectHeader().valueEquals("Tus-Version", "1.0.0")
                        .expectHeader().valueEquals("Tus-Resumable", "1.0.0"),
                HttpStatus.PRECONDITION_FAILED, "tus_version_unsupported");
        expectProblem(http.post().uri("/v1/tus/{b}", bucket).header("X-Api-Key", admin).header("Tus-Resumable", "0.2.2")
                .header("Upload-Length", "10").exchange(), HttpStatus.PRECONDITION_FAILED, "tus_version_unsupported");
        // The credential check still applies, and its refusal is a tus answer too.
        expectProblem(tus(http.post().uri("/v1/tus/{b}", bucket)).header("Upload-Length", "10").exchange()
                .expectHeader().valueEquals("Tus-Resumable", "1.0.0"), HttpStatus.UNAUTHORIZED, "unauthenticated");
        expectProblem(tus(http.post().uri("/v1/tus/{b}", bucket)).header("X-Api-Key", admin).header("Upload-Length", "10")
                .exchange(), HttpStatus.BAD_REQUEST, "invalid_request");
    }

    @Test
    void unevenPatchesAcrossPartBoundariesBecomeTheObject() throws Exception {
        byte[] data = bytes(2 * partSize() + partSize() / 2 + 17);
        String url = create(data.length, "docs/report.bin", "application/octet-stream");
        assertThat(url).startsWith("http://127.0.0.1:" + port + "/v1/tus/" + bucket + "/");
        HttpHeaders head = head(url);
        assertThat(head.getFirst("Upload-Offset")).isEqualTo("0");
        assertThat(head.getFirst("Upload-Length")).isEqualTo(Integer.toString(data.length));
        assertThat(head.getFirst("Cache-Control")).isEqualTo("no-store");
        // IMF-fixdate, as every date header: two-digit day.
        assertThat(head.getFirst("Upload-Expires")).matches("[A-Z][a-z]{2}, \\d{2} [A-Z][a-z]{2} \\d{4} \\d{2}:\\d{2}:\\d{2} GMT");
        assertThat(head.getFirst("Upload-Metadata")).contains("key " + b64("docs/report.bin"));

        int[] cuts = {1000, partSize() - 1000 + 5, partSize() + 300, data.length};
        int offset = 0;
        for (int cut : cuts) {
            // A PATCH at a wrong offset is refused and changes nothing.
            expectProblem(patch(url, offset + 1, Arrays.copyOfRange(data, offset, cut)), HttpStatus.CONFLICT,
                    "upload_offset_mismatch");
            patch(url, offset, Arrays.copyOfRange(data, offset, cut)).expectStatus().isNoContent()
                    .expectHeader().valueEquals("Upload-Offset", Integer.toString(cut))
                    .expectHeader().exists("Upload-Expires").expectBody().isEmpty();
            assertThat(head(url).getFirst("Upload-Offset")).isEqualTo(Integer.toString(cut));
            offset = cut;
        }
        assertThat(read("docs/report.bin")).isEqualTo(data);
        http.get().uri("/v1/buckets/{b}/objects/docs/report.bin", bucket).header("X-Api-Key", admin).exchange()
                .expectHeader().contentType("application/octet-stream").expectBody();
        // The completed upload still answers, and takes no more bytes.
        assertThat(head(url).getFirst("Upload-Offset")).isEqualTo(Integer.toString(data.length));
        expectProblem(patch(url, data.length, bytes(1)), HttpStatus.CONTENT_TOO_LARGE, "upload_length_exceeded");
    }

    @Test
    void patchesMustBeOffsetStreamsWithinTheLength() {
        String url = create(100, "rules.bin", null);
        expectProblem(tus(http.patch().uri(URI.create(url))).header("X-Api-Key", admin).header("Upload-Offset", "0")
                .contentType(MediaType.APPLICATION_OCTET_STREAM).bodyValue(bytes(10)).exchange(),
                HttpStatus.UNSUPPORTED_MEDIA_TYPE, "invalid_patch_content_type");
        expectProblem(patch(url, 0, bytes(101)), HttpStatus.CONTENT_TOO_LARGE, "upload_length_exceeded");
        expectProblem(tus(http.post().uri("/v1/tus/{b}", bucket)).header("X-Api-Key", admin)
                .header("Upload-Length", Long.toString(10_000L * partSize() + 1))
                .header("Upload-Metadata", "key " + b64("x")).exchange(), HttpStatus.CONTENT_TOO_LARGE, "upload_length_exceeded");
        expectProblem(tus(http.post().uri("/v1/tus/{b}", bucket)).header("X-Api-Key", admin).header("Upload-Length", "5")
                .exchange(), HttpStatus.BAD_REQUEST, "invalid_request");
        tus(http.head().uri("/v1/tus/{b}/{id}", bucket, "nope")).header("X-Api-Key", admin).exchange()
                .expectStatus().isNotFound().expectHeader().valueEquals("Tus-Resumable", "1.0.0").expectBody().isEmpty();
        assertThat(head(url).getFirst("Upload-Offset")).isEqualTo("0");
    }

    @Test
    void checksumsAreVerifiedAndAMismatchKeepsNothingOfThatPatch() throws Exception {
        byte[] data = bytes(partSize() + partSize() / 3);
        String url = create(data.length, "sums.bin", null);
        byte[] first = Arrays.copyOfRange(data, 0, partSize() / 2);
        patch(url, 0, first, h -> h.set("Upload-Checksum", "sha1 " + digest("SHA-1", first))).expectStatus().isNoContent()
                .expectHeader().valueEquals("Upload-Offset", Integer.toString(first.length)).expectBody().isEmpty();

        // A wrong digest over bytes that cross a part boundary: 460, the offset stays.
        byte[] rest = Arrays.copyOfRange(data, first.length, data.length);
        expectProblem(patch(url, first.length, rest, h -> h.set("Upload-Checksum", "sha256 " + digest("SHA-256", first))),
                HttpStatusCode460.STATUS, "checksum_mismatch");
        assertThat(head(url).getFirst("Upload-Offset")).isEqualTo(Integer.toString(first.length));
        expectProblem(patch(url, first.length, rest, h -> h.set("Upload-Checksum", "md5 " + digest("MD5", rest))),
                HttpStatus.BAD_REQUEST, "checksum_algorithm_unsupported");

        patch(url, first.length, rest, h -> h.set("Upload-Checksum", "sha256 " + digest("SHA-256", rest)))
                .expectStatus().isNoContent().expectHeader().valueEquals("Upload-Offset", Integer.toString(data.length))
                .expectBody().isEmpty();
        assertThat(read("sums.bin")).isEqualTo(data);
    }

    @Test
    void creationWithUploadAndDeferredLength() throws Exception {
        byte[] data = bytes(partSize() + 999);
        byte[] first = Arrays.copyOfRange(data, 0, 5000);
        String url = tus(http.post().uri("/v1/tus/{b}", bucket)).header("X-Api-Key", admin)
                .header("Upload-Defer-Length", "1")
                .header("Upload-Metadata", "filename " + b64("deferred.txt") + ",filetype " + b64("text/plain"))
                .contentType(OFFSET_STREAM).bodyValue(first).exchange()
                .expectStatus().isCreated().expectHeader().valueEquals("Upload-Offset", "5000").expectBody()
                .returnResult().getResponseHeaders().getLocation().toString();
        HttpHeaders head = head(url);
        assertThat(head.getFirst("Upload-Defer-Length")).isEqualTo("1");
        assertThat(head.getFirst("Upload-Length")).isNull();
        patch(url, 5000, Arrays.copyOfRange(data, 5000, partSize() + 10)).expectStatus().isNoContent().expectBody().isEmpty();
        patch(url, partSize() + 10, Arrays.copyOfRange(data, partSize() + 10, data.length),
                h -> h.set("Upload-Length", Integer.toString(data.length)))
                .expectStatus().isNoContent().expectHeader().valueEquals("Upload-Offset", Integer.toString(data.length))
                .expectBody().isEmpty();
        assertThat(head(url).getFirst("Upload-Length")).isEqualTo(Integer.toString(data.length));
        assertThat(read("deferred.txt")).isEqualTo(data);
        http.get().uri("/v1/buckets/{b}/objects/deferred.txt", bucket).header("X-Api-Key", admin).exchange()
                .expectHeader().contentType("text/plain").expectBody();
    }

    @Test
    void theBucketsRulesThatCanBeToldAtCreationRefuseTheCreation() {
        String limited = unique("rules");
        createBucket(admin, limited, Map.of("maxObjectSize", 1000, "quotaBytes", 500, "allowedContentTypes", List.of("image/*")));
        // Before any byte is sent: the type, the size limit, the quota.
        expectProblem(creation(limited, "1200", "big.png", "image/png"), HttpStatus.CONTENT_TOO_LARGE, "entity_too_large");
        expectProblem(creation(limited, "800", "mid.png", "image/png"), HttpStatus.CONTENT_TOO_LARGE, "quota_exceeded");
        expectProblem(creation(limited, "10", "notes.txt", "text/plain"), HttpStatus.UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type");
        http.get().uri("/v1/buckets/{b}/multipart", limited).header("X-Api-Key", admin).exchange()
                .expectStatus().isOk().expectBody().jsonPath("$.uploads.length()").isEqualTo(0);
        // Within the rules, or with a length not yet known: created; completion checks the real size.
        creation(limited, "400", "small.png", "image/png").expectStatus().isCreated().expectBody().isEmpty();
        tus(http.post().uri("/v1/tus/{b}", limited)).header("X-Api-Key", admin).header("Upload-Defer-Length", "1")
                .header("Upload-Metadata", "key " + b64("later.png") + ",contentType " + b64("image/png")).exchange()
                .expectStatus().isCreated().expectBody().isEmpty();
    }

    private WebTestClient.ResponseSpec creation(String inBucket, String length, String key, String type) {
        return tus(http.post().uri("/v1/tus/{b}", inBucket)).header("X-Api-Key", admin).header("Upload-Length", length)
                .header("Upload-Metadata", "key " + b64(key) + ",contentType " + b64(type)).exchange();
    }

    @Test
    void emptyUploadIsCompletedAtCreation() {
        String url = create(0, "empty.bin", null);
        http.get().uri("/v1/buckets/{b}/objects/empty.bin", bucket).header("X-Api-Key", admin).exchange()
                .expectStatus().isOk().expectHeader().contentLength(0).expectBody().isEmpty();
        assertThat(head(url).getFirst("Upload-Offset")).isEqualTo("0");
        assertThat(record(url).completed()).isTrue();
    }

    @Test
    void terminationFreesTheTailAndForgetsTheUpload() {
        String url = create(3 * partSize(), "gone.bin", null);
        patch(url, 0, bytes(partSize() + 10)).expectStatus().isNoContent().expectBody().isEmpty();
        String tail = record(url).tailPath();
        assertThat(store.head(new BlobLocation(tail)).block()).isNotNull();
        tus(http.delete().uri(URI.create(url))).header("X-Api-Key", admin).exchange().expectStatus().isNoContent()
                .expectBody().isEmpty();
        headStatus(url, HttpStatus.NOT_FOUND);
        assertThat(store.head(new BlobLocation(tail)).block()).isNull();
        http.get().uri("/v1/buckets/{b}/multipart/{id}", bucket, id(url)).header("X-Api-Key", admin).exchange()
                .expectBody().jsonPath("$.state").isEqualTo("aborted");
    }

    @Test
    void expiredUploadsAnswer410AndAreReclaimedBySweeper() {
        String url = create(3 * partSize(), "old.bin", null);
        patch(url, 0, bytes(10)).expectStatus().isNoContent().expectBody().isEmpty();
        String tail = record(url).tailPath();
        mongo.updateFirst(Query.query(Criteria.where("_id").is(id(url))),
                new Update().set("expiresAt", Instant.now().minusSeconds(1)), TusUpload.class).block();
        headStatus(url, HttpStatus.GONE);
        expectProblem(patch(url, 10, bytes(10)), HttpStatus.GONE, "upload_expired");

        assertThat(sweeper.sweep(Instant.now()).block()).isGreaterThanOrEqualTo(1L);
        assertThat(store.head(new BlobLocation(tail)).block()).isNull();
        assertThat(mongo.findById(id(url), TusUpload.class).block()).isNull();
        headStatus(url, HttpStatus.NOT_FOUND);
        http.get().uri("/v1/buckets/{b}/multipart/{id}", bucket, id(url)).header("X-Api-Key", admin).exchange()
                .expectBody().jsonPath("$.state").isEqualTo("aborted").jsonPath("$.rejection").isEqualTo("expired");
    }

    @Test
    void aConcurrentPatchIs409WhileTheFirstHoldsTheLock() throws Exception {
        byte[] data = bytes(partSize() + 100);
        String url = create(data.length, "locked.bin", null);
        try (Socket socket = new Socket("127.0.0.1", port)) {
            OutputStream out = socket.getOutputStream();
            out.write(patchHead(url, 0, data.length));
            out.write(data, 0, 1000);
            out.flush();
            // The first PATCH takes the lock once its headers are read; wait until it has.
            for (int i = 0; i < 200 && record(url).lockOwner() == null; i++) {
                Thread.sleep(25);
            }
            expectProblem(patch(url, 0, bytes(10)), HttpStatus.CONFLICT, "upload_locked");
            out.write(data, 1000, data.length - 1000);
            out.flush();
            String status = new String(socket.getInputStream().readNBytes(12), StandardCharsets.US_ASCII);
            assertThat(status).isEqualTo("HTTP/1.1 204");
        }
        assertThat(read("locked.bin")).isEqualTo(data);
    }

    @Test
    void aPatchCutOffMidBodyKeepsWhatArrivedAndTheRestResumes() throws Exception {
        byte[] data = bytes(4 * partSize() + 12345);
        String url = create(data.length, "resumed.bin", "application/octet-stream");
        int sent = 3 * partSize() + partSize() / 2;
        long durable = 3L * partSize();
        try (Socket socket = new Socket("127.0.0.1", port)) {
            OutputStream out = socket.getOutputStream();
            out.write(patchHead(url, 0, data.length));
            out.write(data, 0, sent);
            out.flush();
            // Once the server has stored the three whole parts it received, the client goes away
            // in the middle of the fourth (with a reset, as a crashed client or a dropped link would):
            // what the server had read of the fourth part by then is kept, the rest is not
            // (TusStalledClientTest: a PATCH that stalls keeps every byte it sent).
            for (int i = 0; i < 400 && record(url).offset() < durable; i++) {
                Thread.sleep(25);
            }
            socket.setSoLinger(true, 0);
        }
        long offset = -1;
        for (int i = 0; i < 200 && record(url).lockOwner() != null; i++) {
            Thread.sleep(25);
        }
        offset = Long.parseLong(head(url).getFirst("Upload-Offset"));
        assertThat(offset).isBetween(durable, (long) sent);
        assertThat(record(url).lockOwner()).isNull();
        // The lock of the cut-off PATCH is released at its end; retry while it is not yet.
        WebTestClient.ResponseSpec rest = null;
        for (int i = 0; i < 100; i++) {
            rest = patch(url, offset, Arrays.copyOfRange(data, (int) offset, data.length));
            if (rest.returnResult(String.class).getStatus().value() != 409) {
                break;
            }
            Thread.sleep(100);
        }
        assertThat(head(url).getFirst("Upload-Offset")).isEqualTo(Integer.toString(data.length));
        byte[] read = read("resumed.bin");
        assertThat(sha256(read)).isEqualTo(sha256(data));
    }

    @Test
    void aTerminationDuringAPatchFreesTheBytesStillArriving() throws Exception {
        byte[] data = bytes(4 * partSize());
        String url = create(data.length, "terminated.bin", "application/octet-stream");
        try (Socket socket = new Socket("127.0.0.1", port)) {
            OutputStream out = socket.getOutputStream();
            out.write(patchHead(url, 0, data.length));
            // Exactly the first part: the next window starts only after the termination.
            out.write(data, 0, partSize());
            out.flush();
            for (int i = 0; i < 400 && record(url).offset() < partSize(); i++) {
                Thread.sleep(25);
            }
            tus(http.delete().uri(URI.create(url))).header("X-Api-Key", admin).exchange().expectStatus().isNoContent();
            // The next windows reach a store that refuses them unread (the upload is aborted):
            // their buffers must still be freed (the class's leak check fails otherwise).
            out.write(data, partSize(), data.length - partSize());
            out.flush();
            socket.setSoTimeout(30_000);
            String status = new String(socket.getInputStream().readNBytes(12), StandardCharsets.US_ASCII);
            assertThat(status).as("the PATCH's answer, once its body has arrived").matches("HTTP/1\\.1 4\\d\\d");
        }
        headStatus(url, HttpStatus.NOT_FOUND);
    }

    @Test
    void aPatchEndedMidBodyKeepsEveryByteItSent() throws Exception {
        byte[] data = bytes(4 * partSize() + 12345);
        String url = create(data.length, "ended.bin", "application/octet-stream");
        int sent = 3 * partSize() + partSize() / 2;
        try (Socket socket = new Socket("127.0.0.1", port)) {
            OutputStream out = socket.getOutputStream();
            out.write(patchHead(url, 0, data.length));
            out.write(data, 0, sent);
            out.flush();
            // The client's end of the stream comes in the middle of the fourth part (a killed
            // client process, whose socket the kernel closes): the server reads all that was sent.
            socket.shutdownOutput();
            socket.setSoTimeout(30_000);
            InputStream in = socket.getInputStream();
            while (in.read() >= 0) {
                // the server answers or closes once the PATCH has failed
            }
        }
        for (int i = 0; i < 200 && record(url).lockOwner() != null; i++) {
            Thread.sleep(25);
        }
        assertThat(record(url).lockOwner()).isNull();
        assertThat(head(url).getFirst("Upload-Offset")).as("the half part is kept as the tail").isEqualTo(Integer.toString(sent));
        patch(url, sent, Arrays.copyOfRange(data, sent, data.length)).expectStatus().isNoContent();
        assertThat(sha256(read("ended.bin"))).isEqualTo(sha256(data));
    }

    @Test
    void theReferenceClientUploadsWithAnInterruptionAndResumes() throws Exception {
        TusJsClient.install();
        byte[] data = bytes(2 * partSize() + partSize() / 2 + 123);
        Path file = Files.createTempFile("tus-js", ".bin");
        try {
            Files.write(file, data);
            // Chunks not aligned with the parts, so the resumed upload starts mid-part, from a tail.
            int chunk = partSize() + partSize() / 3;
            TusJsClient.Run run = TusJsClient.upload("http://127.0.0.1:" + port + "/v1/tus/" + bucket, admin,
                    file.toAbsolutePath().toString(), Integer.toString(chunk), "js/client.bin");
            assertThat(run.exitCode()).as("tus-js-client run: %s", run.stderr()).isZero();
            Map<?, ?> result = tools.jackson.databind.json.JsonMapper.builder().build().readValue(run.stdout().trim(), Map.class);
            assertThat(((Number) result.get("acceptedBeforeAbort")).longValue()).isEqualTo(chunk);
            assertThat(((Number) result.get("offset")).longValue()).isEqualTo(data.length);
            String url = (String) result.get("url");
            assertThat(head(url).getFirst("Upload-Offset")).isEqualTo(Integer.toString(data.length));
        } finally {
            Files.deleteIfExists(file);
        }
        assertThat(sha256(read("js/client.bin"))).isEqualTo(sha256(data));
    }

    // --- helpers -------------------------------------------------------------------------

    /** 460 is tus's own status, outside Spring's enum. */
    static final class HttpStatusCode460 {
        static final org.springframework.http.HttpStatusCode STATUS = org.springframework.http.HttpStatusCode.valueOf(460);
    }

    static void expectProblem(WebTestClient.ResponseSpec response, org.springframework.http.HttpStatusCode status, String code) {
        response.expectStatus().isEqualTo(status).expectHeader().valueEquals("Tus-Resumable", "1.0.0")
                .expectBody().jsonPath("$.code").isEqualTo(code);
    }

    static <S extends WebTestClient.RequestHeadersSpec<?>> S tus(S spec) {
        spec.header("Tus-Resumable", "1.0.0");
        return spec;
    }

    String create(long length, String key, String type) {
        String metadata = "key " + b64(key) + (type == null ? "" : ",contentType " + b64(type));
        URI location = tus(http.post().uri("/v1/tus/{b}", bucket)).header("X-Api-Key", admin)
                .header("Upload-Length", Long.toString(length)).header("Upload-Metadata", metadata).exchange()
                .expectStatus().isCreated().expectHeader().valueEquals("Tus-Resumable", "1.0.0")
                .expectHeader().exists("Upload-Expires")
                .expectBody().isEmpty().getResponseHeaders().getLocation();
        return location.toString();
    }

    void headStatus(String url, HttpStatus status) {
        // A HEAD answer has no body to carry the problem document.
        tus(http.head().uri(URI.create(url))).header("X-Api-Key", admin).exchange().expectStatus().isEqualTo(status)
                .expectHeader().valueEquals("Tus-Resumable", "1.0.0").expectBody().isEmpty();
    }

    HttpHeaders head(String url) {
        return tus(http.head().uri(URI.create(url))).header("X-Api-Key", admin).exchange().expectStatus().isOk()
                .expectHeader().valueEquals("Tus-Resumable", "1.0.0").expectBody().isEmpty().getResponseHeaders();
    }

    WebTestClient.ResponseSpec patch(String url, long offset, byte[] body) {
        return patch(url, offset, body, h -> { });
    }

    WebTestClient.ResponseSpec patch(String url, long offset, byte[] body, Consumer<HttpHeaders> headers) {
        return tus(http.patch().uri(URI.create(url))).header("X-Api-Key", admin)
                .header("Upload-Offset", Long.toString(offset)).headers(headers)
                .contentType(OFFSET_STREAM).bodyValue(body).exchange();
    }

    byte[] patchHead(String url, long offset, long length) {
        String path = URI.create(url).getRawPath();
        return ("PATCH " + path + " HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\nX-Api-Key: " + admin
                + "\r\nTus-Resumable: 1.0.0\r\nUpload-Offset: " + offset
                + "\r\nContent-Type: application/offset+octet-stream\r\nContent-Length: " + length + "\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII);
    }

    TusUpload record(String url) {
        return mongo.findById(id(url), TusUpload.class).block();
    }

    static String id(String url) {
        return url.substring(url.lastIndexOf('/') + 1);
    }

    byte[] read(String key) {
        return http.get().uri("/v1/buckets/{b}/objects/{k}", bucket, key).header("X-Api-Key", admin).exchange()
                .expectStatus().isOk().expectBody(byte[].class).returnResult().getResponseBody();
    }

    byte[] bytes(int n) {
        byte[] data = new byte[n];
        random.nextBytes(data);
        return data;
    }

    static String b64(String value) {
        return Base64.getEncoder().encodeToString(value.getBytes(StandardCharsets.UTF_8));
    }

    static String digest(String algorithm, byte[] data) {
        try {
            return Base64.getEncoder().encodeToString(MessageDigest.getInstance(algorithm).digest(data));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static String sha256(byte[] data) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
    }
}
