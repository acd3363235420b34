package io.granary.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.ZonedDateTime;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DefaultDataBufferFactory;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.data.mongodb.core.ReactiveMongoTemplate;
import org.springframework.data.mongodb.core.query.Criteria;
import org.springframework.data.mongodb.core.query.Query;
import org.springframework.data.mongodb.core.query.Update;
import org.springframework.test.web.reactive.server.WebTestClient;
import reactor.core.publisher.Flux;

/** Every object route end to end, on the filesystem store (subclasses rerun it on others). */
class ObjectApiTest extends ApiTestSupport {

    protected String key;
    protected String bucket;

    @Autowired
    ReactiveMongoTemplate mongo;

    @BeforeEach
    void bucketWithAdminKey() {
        key = newTenantAdmin();
        bucket = unique("objects");
        createBucket(key, bucket, Map.of());
    }

    private String url(String objectKey) {
        return "/v1/buckets/" + bucket + "/objects/" + objectKey;
    }

    private Map<String, Object> put(String objectKey, byte[] bytes, MediaType type) {
        return http.put().uri(url(objectKey)).header("X-Api-Key", key).contentType(type).bodyValue(bytes)
                .exchange().expectStatus().isOk()
                .expectBody(new ParameterizedTypeReference<Map<String, Object>>() { }).returnResult().getResponseBody();
    }

    private byte[] get(String objectKey) {
        return http.get().uri(url(objectKey)).header("X-Api-Key", key).exchange().expectStatus().isOk()
                .expectBody(byte[].class).returnResult().getResponseBody();
    }

    /** Sends a one-byte PUT with an extra raw header line; returns the response head. */
    private String rawPut(String path, String headerLine) {
        try (java.net.Socket socket = new java.net.Socket("127.0.0.1", port)) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write(("PUT " + path + " HTTP/1.1\r\nHost: localhost\r\nX-Api-Key: " + key + "\r\n"
                    + headerLine + "\r\nContent-Length: 1\r\nConnection: close\r\n\r\nx").getBytes(StandardCharsets.US_ASCII));
            return new String(socket.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** A PNG signature followed by zeros: enough for magic-number detection. */
    static byte[] png(int size) {
        byte[] bytes = new byte[size];
        System.arraycopy(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'}, 0, bytes, 0, Math.min(8, size));
        return bytes;
    }

    /** {@code prefix} (a file signature) followed by random bytes, {@code size} in all. */
    static byte[] startingWith(byte[] prefix, int size, long seed) {
        byte[] bytes = random(size, seed);
        System.arraycopy(prefix, 0, bytes, 0, prefix.length);
        return bytes;
    }

    static final byte[] PDF = "%PDF-1.7\n".getBytes(StandardCharsets.US_ASCII);
    static final byte[] JPEG = {(byte) 0xff, (byte) 0xd8, (byte) 0xff, (byte) 0xe0, 0, 0x10, 'J', 'F', 'I', 'F', 0};
    static final MediaType ZIP = MediaType.parseMediaType("application/zip");

    /** A real ZIP archive of one small entry. */
    static byte[] zip() {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        try (java.util.zip.ZipOutputStream zip = new java.util.zip.ZipOutputStream(out)) {
            zip.putNextEntry(new java.util.zip.ZipEntry("readme.txt"));
            zip.write("inside the archive".getBytes(StandardCharsets.US_ASCII));
            zip.closeEntry();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    static byte[] random(int size, long seed) {
        byte[] bytes = new byte[size];
        new Random(seed).nextBytes(bytes);
        return bytes;
    }

    static String hex(String algorithm, byte[] bytes) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance(algorithm).digest(bytes));
    }

    @Test
    void putThenGetAndHeadReturnBytesAndMetadata() throws Exception {
        byte[] bytes = startingWith(PDF, 100_000, 1);
        Map<String, Object> stored = http.put().uri(url("docs/report 2024 ü.bin")).header("X-Api-Key", key)
                .contentType(MediaType.APPLICATION_PDF)
                .header(HttpHeaders.CACHE_CONTROL, "max-age=60")
                .header("X-Meta-Author", "ada")
                .bodyValue(bytes).exchange().expectStatus().isOk()
                .expectBody(new ParameterizedTypeReference<Map<String, Object>>() { }).returnResult().getResponseBody();
        String etag = "\"" + hex("MD5", bytes) + "\"";
        assertThat(stored).containsEntry("key", "docs/report 2024 ü.bin").containsEntry("size", 100_000)
                .containsEntry("etag", etag).containsEntry("contentType", "application/pdf")
                .containsKeys("versionId", "lastModified");

        byte[] body = http.get().uri(url("docs/report 2024 ü.bin")).header("X-Api-Key", key).exchange()
                .expectStatus().isOk()
                .expectHeader().contentType(MediaType.APPLICATION_PDF)
                .expectHeader().contentLength(100_000)
                .expectHeader().valueEquals(HttpHeaders.ETAG, etag)
                .expectHeader().valueEquals(HttpHeaders.ACCEPT_RANGES, "bytes")
                .expectHeader().valueEquals("X-Content-Type-Options", "nosniff")
                .expectHeader().valueEquals(HttpHeaders.CACHE_CONTROL, "max-age=60")
                .expectHeader().valueEquals("X-Meta-author", "ada")
                .expectHeader().exists(HttpHeaders.LAST_MODIFIED)
                .expectBody(byte[].class).returnResult().getResponseBody();
        assertThat(body).isEqualTo(bytes);

        http.head().uri(url("docs/report 2024 ü.bin")).header("X-Api-Key", key).exchange()
                .expectStatus().isOk()
                .expectHeader().contentLength(100_000)
                .expectHeader().valueEquals(HttpHeaders.ETAG, etag)
                .expectBody().isEmpty();
    }

    @Test
    void chunkedUploadOfSeveralMegabytesStreamsThrough() throws Exception {
        byte[] bytes = random(6 * 1024 * 1024 + 123, 2);
        Flux<DataBuffer> chunks = Flux.range(0, (bytes.length + 65535) / 65536).map(i -> DefaultDataBufferFactory.sharedInstance
                .wrap(java.util.Arrays.copyOfRange(bytes, i * 65536, Math.min(bytes.length, (i + 1) * 65536))));
        http.put().uri(url("big.bin")).header("X-Api-Key", key).body(chunks, DataBuffer.class)
                .exchange().expectStatus().isOk()
                .expectBody().jsonPath("$.size").isEqualTo(bytes.length)
                .jsonPath("$.contentType").isEqualTo("application/octet-stream");
        assertThat(hex("SHA-256", get("big.bin"))).isEqualTo(hex("SHA-256", bytes));
    }

    @Test
    void emptyObjectsWork() {
        put("empty", new byte[0], MediaType.TEXT_PLAIN);
        http.get().uri(url("empty")).header("X-Api-Key", key).exchange().expectStatus().isOk()
                .expectHeader().contentLength(0).expectBody().isEmpty();
        expectProblem(http.get().uri(url("empty")).header("X-Api-Key", key).header(HttpHeaders.RANGE, "bytes=0-0").exchange(),
                HttpStatus.REQUESTED_RANGE_NOT_SATISFIABLE, "invalid_range");
    }

    @Test
    void singleRangesAre206AndUnsatisfiableRangesAre416() {
        byte[] bytes = "0123456789".getBytes(StandardCharsets.US_ASCII);
        put("digits", bytes, MediaType.TEXT_PLAIN);
        http.get().uri(url("digits")).header("X-Api-Key", key).header(HttpHeaders.RANGE, "bytes=2-4").exchange()
                .expectStatus().isEqualTo(HttpStatus.PARTIAL_CONTENT)
                .expectHeader().valueEquals(HttpHeaders.CONTENT_RANGE, "bytes 2-4/10")
                .expectHeader().contentLength(3)
                .expectBody(String.class).isEqualTo("234");
        http.get().uri(url("digits")).header("X-Api-Key", key).header(HttpHeaders.RANGE, "bytes=7-").exchange()
                .expectStatus().isEqualTo(HttpStatus.PARTIAL_CONTENT).expectBody(String.class).isEqualTo("789");
        http.get().uri(url("digits")).header("X-Api-Key", key).header(HttpHeaders.RANGE, "bytes=-2").exchange()
                .expectStatus().isEqualTo(HttpStatus.PARTIAL_CONTENT).expectBody(String.class).isEqualTo("89");
        http.get().uri(url("digits")).header("X-Api-Key", key).header(HttpHeaders.RANGE, "bytes=5-100").exchange()
                .expectStatus().isEqualTo(HttpStatus.PARTIAL_CONTENT)
                .expectHeader().valueEquals(HttpHeaders.CONTENT_RANGE, "bytes 5-9/10")
                .expectBody(String.class).isEqualTo("56789");
        expectProblem(http.get().uri(url("digits")).header("X-Api-Key", key).header(HttpHeaders.RANGE, "bytes=10-12").exchange(),
                HttpStatus.REQUESTED_RANGE_NOT_SATISFIABLE, "invalid_range");
        http.get().uri(url("digits")).header("X-Api-Key", key).header(HttpHeaders.RANGE, "bytes=10-12").exchange()
                .expectHeader().valueEquals(HttpHeaders.CONTENT_RANGE, "bytes */10").expectBody();
        // Several ranges and malformed ranges are answered with the whole object.
        http.get().uri(url("digits")).header("X-Api-Key", key).header(HttpHeaders.RANGE, "bytes=0-1,4-5").exchange()
                .expectStatus().isOk().expectBody(String.class).isEqualTo("0123456789");
        http.get().uri(url("digits")).header("X-Api-Key", key).header(HttpHeaders.RANGE, "lines=1-2").exchange()
                .expectStatus().isOk().expectBody(String.class).isEqualTo("0123456789");
        // If-Range: the range applies only while the client's validator still matches.
        var current = http.head().uri(url("digits")).header("X-Api-Key", key).exchange().returnResult(Void.class)
                .getResponseHeaders();
        http.get().uri(url("digits")).header("X-Api-Key", key).header(HttpHeaders.RANGE, "bytes=0-1")
                .header(HttpHeaders.IF_RANGE, current.getETag()).exchange()
                .expectStatus().isEqualTo(HttpStatus.PARTIAL_CONTENT).expectBody(String.class).isEqualTo("01");
        http.get().uri(url("digits")).header("X-Api-Key", key).header(HttpHeaders.RANGE, "bytes=0-1")
                .header(HttpHeaders.IF_RANGE, current.getFirst(HttpHeaders.LAST_MODIFIED)).exchange()
                .expectStatus().isEqualTo(HttpStatus.PARTIAL_CONTENT).expectBody(String.class).isEqualTo("01");
        http.get().uri(url("digits")).header("X-Api-Key", key).header(HttpHeaders.RANGE, "bytes=0-1")
                .header(HttpHeaders.IF_RANGE, "\"stale\"").exchange()
                .expectStatus().isOk().expectBody(String.class).isEqualTo("0123456789");
    }

    @Test
    void conditionalGetsAnswer304And412() {
        Map<String, Object> stored = put("cond", "abc".getBytes(StandardCharsets.US_ASCII), MediaType.TEXT_PLAIN);
        String etag = (String) stored.get("etag");
        // A plain GET is not conditional at all, and still carries both validators.
        http.get().uri(url("cond")).header("X-Api-Key", key).exchange()
                .expectStatus().isOk()
                .expectHeader().valueEquals(HttpHeaders.ETAG, etag)
                .expectHeader().exists(HttpHeaders.LAST_MODIFIED)
                .expectBody(String.class).isEqualTo("abc");
        http.get().uri(url("cond")).header("X-Api-Key", key).header(HttpHeaders.IF_NONE_MATCH, etag).exchange()
                .expectStatus().isNotModified().expectHeader().valueEquals(HttpHeaders.ETAG, etag)
                .expectHeader().exists(HttpHeaders.LAST_MODIFIED);
        http.get().uri(url("cond")).header("X-Api-Key", key).header(HttpHeaders.IF_NONE_MATCH, "\"other\"").exchange()
                .expectStatus().isOk().expectBody();
        String future = java.time.format.DateTimeFormatter.RFC_1123_DATE_TIME.format(ZonedDateTime.now(java.time.ZoneOffset.UTC).plusDays(1));
        http.get().uri(url("cond")).header("X-Api-Key", key).header(HttpHeaders.IF_MODIFIED_SINCE, future).exchange()
                .expectStatus().isNotModified();
        String past = java.time.format.DateTimeFormatter.RFC_1123_DATE_TIME.format(ZonedDateTime.now(java.time.ZoneOffset.UTC).minusDays(1));
        http.get().uri(url("cond")).header("X-Api-Key", key).header(HttpHeaders.IF_MODIFIED_SINCE, past).exchange()
                .expectStatus().isOk().expectBody();
        expectProblem(http.get().uri(url("cond")).header("X-Api-Key", key).header(HttpHeaders.IF_MATCH, "\"nope\"").exchange(),
                HttpStatus.PRECONDITION_FAILED, "precondition_failed");
        http.get().uri(url("cond")).header("X-Api-Key", key).header(HttpHeaders.IF_MATCH, etag).exchange()
                .expectStatus().isOk().expectBody();
        expectProblem(http.get().uri(url("cond")).header("X-Api-Key", key).header(HttpHeaders.IF_UNMODIFIED_SINCE, past).exchange(),
                HttpStatus.PRECONDITION_FAILED, "precondition_failed");
        http.get().uri(url("cond")).header("X-Api-Key", key).header(HttpHeaders.IF_UNMODIFIED_SINCE, future).exchange()
                .expectStatus().isOk().expectBody();
    }

    @Test
    void conditionalPutsAreAtomicPreconditions() {
        byte[] first = "first".getBytes(StandardCharsets.US_ASCII);
        http.put().uri(url("once")).header("X-Api-Key", key).header(HttpHeaders.IF_NONE_MATCH, "*").bodyValue(first)
                .exchange().expectStatus().isOk().expectBody();
        expectProblem(http.put().uri(url("once")).header("X-Api-Key", key).header(HttpHeaders.IF_NONE_MATCH, "*")
                .bodyValue("second".getBytes(StandardCharsets.US_ASCII)).exchange(), HttpStatus.PRECONDITION_FAILED, "precondition_failed");
        assertThat(get("once")).isEqualTo(first);

        expectProblem(http.put().uri(url("once")).header("X-Api-Key", key).header(HttpHeaders.IF_MATCH, "\"0000\"")
                .bodyValue("third".getBytes(StandardCharsets.US_ASCII)).exchange(), HttpStatus.PRECONDITION_FAILED, "precondition_failed");
        assertThat(get("once")).isEqualTo(first);

        String etag = http.head().uri(url("once")).header("X-Api-Key", key).exchange().returnResult(Void.class)
                .getResponseHeaders().getETag();
        http.put().uri(url("once")).header("X-Api-Key", key).header(HttpHeaders.IF_MATCH, etag)
                .bodyValue("fourth".getBytes(StandardCharsets.US_ASCII)).exchange().expectStatus().isOk().expectBody();
        assertThat(new String(get("once"), StandardCharsets.US_ASCII)).isEqualTo("fourth");
        expectProblem(http.put().uri(url("never")).header("X-Api-Key", key).header(HttpHeaders.IF_MATCH, "*")
                .bodyValue("x".getBytes(StandardCharsets.US_ASCII)).exchange(), HttpStatus.PRECONDITION_FAILED, "precondition_failed");
        expectProblem(http.get().uri(url("never")).header("X-Api-Key", key).exchange(), HttpStatus.NOT_FOUND, "object_not_found");
    }

    @Test
    void malformedOrWeakEntityTagsNeverActAsAMatch() {
        Map<String, Object> stored = put("tags", "abc".getBytes(StandardCharsets.US_ASCII), MediaType.TEXT_PLAIN);
        String etag = (String) stored.get("etag");
        expectProblem(http.put().uri(url("tags")).header("X-Api-Key", key).header(HttpHeaders.IF_MATCH, "unquoted")
                .bodyValue("x").exchange(), HttpStatus.BAD_REQUEST, "invalid_request");
        expectProblem(http.get().uri(url("tags")).header("X-Api-Key", key).header(HttpHeaders.IF_MATCH, "unquoted")
                .exchange(), HttpStatus.BAD_REQUEST, "invalid_request");
        expectProblem(http.get().uri(url("tags")).header("X-Api-Key", key).header(HttpHeaders.IF_NONE_MATCH, "unquoted")
                .exchange(), HttpStatus.BAD_REQUEST, "invalid_request");
        // If-Match uses strong comparison: the weak form of the current tag does not match.
        expectProblem(http.put().uri(url("tags")).header("X-Api-Key", key).header(HttpHeaders.IF_MATCH, "W/" + etag)
                .bodyValue("x").exchange(), HttpStatus.PRECONDITION_FAILED, "precondition_failed");
        http.put().uri(url("tags")).header("X-Api-Key", key).header(HttpHeaders.IF_MATCH, "\"other\", " + etag)
                .bodyValue("y").exchange().expectStatus().isOk().expectBody();
        assertThat(new String(get("tags"), StandardCharsets.US_ASCII)).isEqualTo("y");
    }

    @Test
    void unservableContentTypesAndCacheControlAreRefused() {
        // The test client refuses to send such a type itself, so it goes over a raw socket.
        assertThat(rawPut(url("ct"), "Content-Type: text/plain;q=5")).startsWith("HTTP/1.1 400");
        expectProblem(http.get().uri(url("ct")).header("X-Api-Key", key).exchange(), HttpStatus.NOT_FOUND, "object_not_found");
        expectProblem(http.put().uri(url("ct")).header("X-Api-Key", key).header(HttpHeaders.CONTENT_TYPE, "image/*")
                .bodyValue("x").exchange(), HttpStatus.BAD_REQUEST, "invalid_request");
        expectProblem(http.put().uri(url("ct")).header("X-Api-Key", key).header(HttpHeaders.CACHE_CONTROL, "x".repeat(2000))
                .bodyValue("x").exchange(), HttpStatus.BAD_REQUEST, "invalid_request");
        put("ct", "x".getBytes(StandardCharsets.US_ASCII), MediaType.parseMediaType("text/plain;charset=UTF-8"));
        expectProblem(http.patch().uri(url("ct")).header("X-Api-Key", key).contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Map.of("cacheControl", "a\u0001b")).exchange(), HttpStatus.BAD_REQUEST, "invalid_request");
        expectProblem(http.patch().uri(url("ct")).header("X-Api-Key", key).contentType(MediaType.APPLICATION_JSON)
                .bodyValue("{\"contentType\":null}").exchange(), HttpStatus.BAD_REQUEST, "invalid_json");
        http.get().uri(url("ct")).header("X-Api-Key", key).exchange().expectStatus().isOk()
                .expectHeader().valueEquals(HttpHeaders.CONTENT_TYPE, "text/plain;charset=UTF-8").expectBody();
    }

    /** Whether the store under test hands out presigned URLs (S3 does, local disk does not). */
    protected boolean expectsRedirects() {
        return false;
    }

    @Test
    void redirectGoesStraightToTheStoreWhereItCanElseStreams() {
        byte[] bytes = random(10_000, 4);
        put("direct/r.bin", bytes, MediaType.APPLICATION_OCTET_STREAM);
        var result = http.get().uri(url("direct/r.bin") + "?redirect=true").header("X-Api-Key", key).exchange()
                .expectBody(byte[].class).returnResult();
        if (expectsRedirects()) {
            assertThat(result.getStatus().value()).isEqualTo(302);
            assertThat(result.getResponseHeaders().getCacheControl()).isEqualTo("no-store");
            java.net.URI location = result.getResponseHeaders().getLocation();
            assertThat(location.toString()).doesNotContain(key);
            byte[] fetched = org.springframework.web.reactive.function.client.WebClient.create().get().uri(location)
                    .retrieve().bodyToMono(byte[].class).block(java.time.Duration.ofSeconds(30));
            assertThat(fetched).isEqualTo(bytes);
        } else {
            assertThat(result.getStatus().value()).isEqualTo(200);
            assertThat(result.getResponseBody()).isEqualTo(bytes);
        }
        // Signed URLs are always streamed: a store URL would outlive their expiry and revocation.
        String signed = (String) http.post().uri("/v1/buckets/{b}/signed-urls", bucket).header("X-Api-Key", key)
                .contentType(MediaType.APPLICATION_JSON).bodyValue(Map.of("key", "direct/r.bin")).exchange()
                .expectBody(Map.class).returnResult().getResponseBody().get("url");
        http.get().uri(java.net.URI.create(signed + "&redirect=true")).exchange().expectStatus().isOk()
                .expectBody(byte[].class).isEqualTo(bytes);
        // A bucket can make redirects the default; ?redirect=false then streams.
        String redirecting = unique("redirecting");
        createBucket(key, redirecting, Map.of("redirectDownloads", true));
        http.put().uri("/v1/buckets/{b}/objects/r.bin", redirecting).header("X-Api-Key", key).bodyValue(bytes)
                .exchange().expectStatus().isOk().expectBody();
        http.get().uri("/v1/buckets/{b}", redirecting).header("X-Api-Key", key).exchange()
                .expectBody().jsonPath("$.redirectDownloads").isEqualTo(true);
        http.get().uri("/v1/buckets/{b}/objects/r.bin", redirecting).header("X-Api-Key", key).exchange()
                .expectStatus().isEqualTo(expectsRedirects() ? 302 : 200).expectBody();
        http.get().uri("/v1/buckets/{b}/objects/r.bin?redirect=false", redirecting).header("X-Api-Key", key).exchange()
                .expectStatus().isOk().expectBody(byte[].class).isEqualTo(bytes);
        // Ranges are always served by the gateway.
        http.get().uri(url("direct/r.bin") + "?redirect=true").header("X-Api-Key", key).header(HttpHeaders.RANGE, "bytes=0-1")
                .exchange().expectStatus().isEqualTo(HttpStatus.PARTIAL_CONTENT).expectBody();
    }

    @Test
    void downloadParameterSetsContentDisposition() {
        put("files/x1", "data".getBytes(StandardCharsets.US_ASCII), MediaType.TEXT_PLAIN);
        http.get().uri(url("files/x1") + "?download=report final.txt").header("X-Api-Key", key).exchange()
                .expectStatus().isOk()
                .expectHeader().value(HttpHeaders.CONTENT_DISPOSITION, v -> assertThat(v).startsWith("attachment;")
                        .contains("report")).expectBody();
    }

    @Test
    void checksumsAreVerifiedAndMismatchesStoreNothing() throws Exception {
        byte[] original = "original".getBytes(StandardCharsets.US_ASCII);
        put("sum", original, MediaType.TEXT_PLAIN);
        byte[] update = "update".getBytes(StandardCharsets.US_ASCII);
        String md5 = Base64.getEncoder().encodeToString(MessageDigest.getInstance("MD5").digest(update));
        String wrongMd5 = Base64.getEncoder().encodeToString(MessageDigest.getInstance("MD5").digest(original));

        expectProblem(http.put().uri(url("sum")).header("X-Api-Key", key).header("Content-MD5", wrongMd5).bodyValue(update)
                .exchange(), HttpStatus.BAD_REQUEST, "bad_digest");
        expectProblem(http.put().uri(url("sum")).header("X-Api-Key", key).header("X-Checksum-Sha256", hex("SHA-256", original))
                .bodyValue(update).exchange(), HttpStatus.BAD_REQUEST, "bad_digest");
        expectProblem(http.put().uri(url("sum")).header("X-Api-Key", key).header("Content-MD5", "not-base64!").bodyValue(update)
                .exchange(), HttpStatus.BAD_REQUEST, "invalid_digest");
        assertThat(get("sum")).isEqualTo(original);

        http.put().uri(url("sum")).header("X-Api-Key", key).header("Content-MD5", md5)
                .header("X-Checksum-Sha256", hex("SHA-256", update)).bodyValue(update).exchange().expectStatus().isOk().expectBody();
        assertThat(get("sum")).isEqualTo(update);
        expectProblem(http.put().uri(url("fresh")).header("X-Api-Key", key).header("Content-MD5", wrongMd5).bodyValue(update)
                .exchange(), HttpStatus.BAD_REQUEST, "bad_digest");
        expectProblem(http.get().uri(url("fresh")).header("X-Api-Key", key).exchange(), HttpStatus.NOT_FOUND, "object_not_found");
    }

    @Test
    void bucketLimitsOnSizeAndTypeAreEnforced() {
        String limited = unique("limited");
        createBucket(key, limited, Map.of("maxObjectSize", 1000, "allowedContentTypes", List.of("image/*", "text/plain")));
        String base = "/v1/buckets/" + limited + "/objects/";
        http.put().uri(base + "ok.png").header("X-Api-Key", key).contentType(MediaType.IMAGE_PNG).bodyValue(png(1000))
                .exchange().expectStatus().isOk().expectBody();
        expectProblem(http.put().uri(base + "big.png").header("X-Api-Key", key).contentType(MediaType.IMAGE_PNG)
                .bodyValue(png(1001)).exchange(), HttpStatus.CONTENT_TOO_LARGE, "entity_too_large");
        Flux<DataBuffer> chunked = Flux.range(0, 5).map(i -> DefaultDataBufferFactory.sharedInstance.wrap(png(300)));
        expectProblem(http.put().uri(base + "chunked.png").header("X-Api-Key", key).contentType(MediaType.IMAGE_PNG)
                .body(chunked, DataBuffer.class).exchange(), HttpStatus.CONTENT_TOO_LARGE, "entity_too_large");
        expectProblem(http.put().uri(base + "doc.pdf").header("X-Api-Key", key).contentType(MediaType.APPLICATION_PDF)
                .bodyValue(new byte[10]).exchange(), HttpStatus.UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type");
        // In a bucket with an allowlist the bytes must be what the type says.
        expectProblem(http.put().uri(base + "fake.png").header("X-Api-Key", key).contentType(MediaType.IMAGE_PNG)
                .bodyValue("<html><script>alert(1)</script></html>".getBytes(StandardCharsets.US_ASCII)).exchange(),
                HttpStatus.UNSUPPORTED_MEDIA_TYPE, "content_type_mismatch");
        Flux<DataBuffer> disguised = Flux.range(0, 4).map(i -> DefaultDataBufferFactory.sharedInstance
                .wrap((i == 0 ? "%PDF-1.7\n" : "x".repeat(200)).getBytes(StandardCharsets.US_ASCII)));
        expectProblem(http.put().uri(base + "chunked-fake.png").header("X-Api-Key", key).contentType(MediaType.IMAGE_PNG)
                .body(disguised, DataBuffer.class).exchange(), HttpStatus.UNSUPPORTED_MEDIA_TYPE, "content_type_mismatch");
        http.put().uri(base + "notes.txt").header("X-Api-Key", key).contentType(MediaType.TEXT_PLAIN)
                .bodyValue("just text").exchange().expectStatus().isOk().expectBody();
        http.get().uri("/v1/buckets/" + limited + "/objects").header("X-Api-Key", key).exchange().expectStatus().isOk()
                .expectBody().jsonPath("$.objects[*].key").isEqualTo(List.of("notes.txt", "ok.png"));
    }

    @Test
    void invalidKeysAre400() {
        for (String bad : List.of("a%00b", "a/../b", "./a", "a/.", "back%5Cslash", "%FF%FE", "/leading", "ctl%07",
                "x".repeat(1025))) {
            expectProblem(http.put().uri(java.net.URI.create("http://127.0.0.1:" + port + url(bad)))
                    .header("X-Api-Key", key).bodyValue("x").exchange(), HttpStatus.BAD_REQUEST, "invalid_key");
        }
        expectProblem(http.get().uri(java.net.URI.create("http://127.0.0.1:" + port + url(""))).header("X-Api-Key", key)
                .exchange(), HttpStatus.BAD_REQUEST, "invalid_key");
        http.get().uri("/v1/buckets/" + bucket + "/objects").header("X-Api-Key", key).exchange()
                .expectBody().jsonPath("$.objects").isEmpty();
    }

    @Test
    void invalidMetadataIs400() {
        expectProblem(http.put().uri(url("meta")).header("X-Api-Key", key).header("X-Meta-Big", "v".repeat(3000))
                .bodyValue("x").exchange(), HttpStatus.BAD_REQUEST, "invalid_metadata");
        expectProblem(http.put().uri(url("meta")).header("X-Api-Key", key).header("X-Meta-Dotted.Name", "v")
                .bodyValue("x").exchange(), HttpStatus.BAD_REQUEST, "invalid_metadata");
    }

    @Test
    void deleteIsIdempotent() {
        put("gone", "x".getBytes(StandardCharsets.US_ASCII), MediaType.TEXT_PLAIN);
        http.delete().uri(url("gone")).header("X-Api-Key", key).exchange().expectStatus().isNoContent();
        expectProblem(http.get().uri(url("gone")).header("X-Api-Key", key).exchange(), HttpStatus.NOT_FOUND, "object_not_found");
        http.delete().uri(url("gone")).header("X-Api-Key", key).exchange().expectStatus().isNoContent();
        http.delete().uri(url("never-existed")).header("X-Api-Key", key).exchange().expectStatus().isNoContent();
    }

    @Test
    void patchEditsMetadataWithoutTouchingBytes() {
        byte[] bytes = "payload".getBytes(StandardCharsets.US_ASCII);
        Map<String, Object> before = put("p", bytes, MediaType.TEXT_PLAIN);
        http.patch().uri(url("p")).header("X-Api-Key", key).contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Map.of("contentType", "text/markdown", "cacheControl", "no-store", "metadata", Map.of("owner", "bob")))
                .exchange().expectStatus().isOk()
                .expectBody().jsonPath("$.contentType").isEqualTo("text/markdown")
                .jsonPath("$.etag").isEqualTo(before.get("etag"))
                .jsonPath("$.versionId").isEqualTo(before.get("versionId"))
                .jsonPath("$.metadata.owner").isEqualTo("bob");
        http.get().uri(url("p")).header("X-Api-Key", key).exchange().expectStatus().isOk()
                .expectHeader().valueEquals(HttpHeaders.CACHE_CONTROL, "no-store")
                .expectHeader().valueEquals("X-Meta-owner", "bob")
                .expectBody(byte[].class).isEqualTo(bytes);
        expectProblem(http.patch().uri(url("missing")).header("X-Api-Key", key).contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Map.of("contentType", "text/plain")).exchange(), HttpStatus.NOT_FOUND, "object_not_found");
        expectProblem(http.patch().uri(url("p")).header("X-Api-Key", key).contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Map.of("size", 3)).exchange(), HttpStatus.BAD_REQUEST, "invalid_json");
        // null clears, absent keeps.
        http.patch().uri(url("p")).header("X-Api-Key", key).contentType(MediaType.APPLICATION_JSON)
                .bodyValue("{\"cacheControl\":null}").exchange().expectStatus().isOk()
                .expectBody().jsonPath("$.cacheControl").doesNotExist()
                .jsonPath("$.contentType").isEqualTo("text/markdown")
                .jsonPath("$.metadata.owner").isEqualTo("bob");
        http.get().uri(url("p")).header("X-Api-Key", key).exchange().expectStatus().isOk()
                .expectHeader().doesNotExist(HttpHeaders.CACHE_CONTROL).expectBody();
    }

    @Test
    void listingGroupsByDelimiterAndPagesWithCursors() {
        for (String k : List.of("a/1", "a/2", "a/deep/3", "b/1", "c", "d")) {
            put(k, k.getBytes(StandardCharsets.US_ASCII), MediaType.TEXT_PLAIN);
        }
        String list = "/v1/buckets/" + bucket + "/objects";
        http.get().uri(list + "?delimiter=/").header("X-Api-Key", key).exchange().expectStatus().isOk()
                .expectBody()
                .jsonPath("$.prefixes").isEqualTo(List.of("a/", "b/"))
                .jsonPath("$.objects[*].key").isEqualTo(List.of("c", "d"))
                .jsonPath("$.nextCursor").doesNotExist();
        http.get().uri(list + "?prefix=a/&delimiter=/").header("X-Api-Key", key).exchange().expectStatus().isOk()
                .expectBody()
                .jsonPath("$.prefixes").isEqualTo(List.of("a/deep/"))
                .jsonPath("$.objects[*].key").isEqualTo(List.of("a/1", "a/2"));
        http.get().uri(list + "?prefix=a/").header("X-Api-Key", key).exchange().expectStatus().isOk()
                .expectBody().jsonPath("$.objects[*].key").isEqualTo(List.of("a/1", "a/2", "a/deep/3"));

        // Page through everything, one entry at a time, with the delimiter on.
        List<String> seen = new java.util.ArrayList<>();
        String cursor = null;
        do {
            Map<String, Object> page = http.get().uri(list + "?delimiter=/&limit=1" + (cursor == null ? "" : "&cursor=" + cursor))
                    .header("X-Api-Key", key).exchange().expectStatus().isOk()
                    .expectBody(new ParameterizedTypeReference<Map<String, Object>>() { }).returnResult().getResponseBody();
            ((List<?>) page.get("prefixes")).forEach(p -> seen.add((String) p));
            ((List<?>) page.get("objects")).forEach(o -> seen.add((String) ((Map<?, ?>) o).get("key")));
            cursor = (String) page.get("nextCursor");
        } while (cursor != null);
        assertThat(seen).containsExactly("a/", "b/", "c", "d");

        expectProblem(http.get().uri(list + "?limit=0").header("X-Api-Key", key).exchange(), HttpStatus.BAD_REQUEST, "invalid_request");
        expectProblem(http.get().uri(list + "?limit=1001").header("X-Api-Key", key).exchange(), HttpStatus.BAD_REQUEST, "invalid_request");
        expectProblem(http.get().uri(list + "?cursor=%%%").header("X-Api-Key", key).exchange(), HttpStatus.BAD_REQUEST, "invalid_cursor");
    }

    @Test
    void aCursorWorksOnlyWithThePrefixAndDelimiterItWasIssuedFor() {
        for (String k : List.of("a/1", "a/2", "b/1", "b/2", "c")) {
            put(k, k.getBytes(StandardCharsets.US_ASCII), MediaType.TEXT_PLAIN);
        }
        String list = "/v1/buckets/" + bucket + "/objects";
        String afterB1 = (String) http.get().uri(list + "?limit=3").header("X-Api-Key", key).exchange()
                .expectStatus().isOk().expectBody(new ParameterizedTypeReference<Map<String, Object>>() { })
                .returnResult().getResponseBody().get("nextCursor");
        // Under another prefix this cursor would start past everything: an empty "last" page.
        expectProblem(http.get().uri(list + "?prefix=a/&cursor=" + afterB1).header("X-Api-Key", key).exchange(),
                HttpStatus.BAD_REQUEST, "invalid_cursor");
        expectProblem(http.get().uri(list + "?delimiter=/&cursor=" + afterB1).header("X-Api-Key", key).exchange(),
                HttpStatus.BAD_REQUEST, "invalid_cursor");
        // With its own prefix and delimiter it goes on, whatever the limit.
        http.get().uri(list + "?limit=10&cursor=" + afterB1).header("X-Api-Key", key).exchange().expectStatus().isOk()
                .expectBody().jsonPath("$.objects[*].key").isEqualTo(List.of("b/2", "c"));

        String afterA = (String) http.get().uri(list + "?prefix=&delimiter=/&limit=1").header("X-Api-Key", key).exchange()
                .expectStatus().isOk().expectBody(new ParameterizedTypeReference<Map<String, Object>>() { })
                .returnResult().getResponseBody().get("nextCursor");
        expectProblem(http.get().uri(list + "?cursor=" + afterA).header("X-Api-Key", key).exchange(),
                HttpStatus.BAD_REQUEST, "invalid_cursor");
        expectProblem(http.get().uri(list + "?delimiter=-&cursor=" + afterA).header("X-Api-Key", key).exchange(),
                HttpStatus.BAD_REQUEST, "invalid_cursor");
        http.get().uri(list + "?delimiter=/&cursor=" + afterA).header("X-Api-Key", key).exchange().expectStatus().isOk()
                .expectBody().jsonPath("$.prefixes").isEqualTo(List.of("b/"));
    }

    @Test
    void copyIsServerSideAndIndependent() {
        byte[] bytes = startingWith(JPEG, 50_000, 3);
        put("src", bytes, MediaType.IMAGE_JPEG);
        String other = unique("target");
        createBucket(key, other, Map.of());
        http.post().uri("/v1/buckets/{b}/copy", bucket).header("X-Api-Key", key).contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Map.of("sourceKey", "src", "key", "dup")).exchange().expectStatus().isOk()
                .expectBody().jsonPath("$.key").isEqualTo("dup").jsonPath("$.size").isEqualTo(50_000)
                .jsonPath("$.contentType").isEqualTo("image/jpeg");
        http.post().uri("/v1/buckets/{b}/copy", other).header("X-Api-Key", key).contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Map.of("sourceBucket", bucket, "sourceKey", "src", "key", "elsewhere")).exchange().expectStatus().isOk().expectBody();
        http.delete().uri(url("src")).header("X-Api-Key", key).exchange().expectStatus().isNoContent();
        assertThat(get("dup")).isEqualTo(bytes);
        assertThat(http.get().uri("/v1/buckets/{b}/objects/elsewhere", other).header("X-Api-Key", key).exchange()
                .expectStatus().isOk().expectBody(byte[].class).returnResult().getResponseBody()).isEqualTo(bytes);
        expectProblem(http.post().uri("/v1/buckets/{b}/copy", bucket).header("X-Api-Key", key).contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Map.of("sourceKey", "src", "key", "again")).exchange(), HttpStatus.NOT_FOUND, "object_not_found");
        expectProblem(http.post().uri("/v1/buckets/{b}/copy", bucket).header("X-Api-Key", key).contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Map.of("sourceKey", "dup")).exchange(), HttpStatus.BAD_REQUEST, "invalid_request");
    }

    @Test
    void bulkDeleteReportsPerKey() {
        put("x1", new byte[] {1}, MediaType.TEXT_PLAIN);
        put("x2", new byte[] {2}, MediaType.TEXT_PLAIN);
        http.post().uri("/v1/buckets/{b}/delete", bucket).header("X-Api-Key", key).contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Map.of("keys", List.of("x1", "x2", "absent", "../bad"))).exchange().expectStatus().isOk()
                .expectBody()
                .jsonPath("$.deleted").isEqualTo(List.of("x1", "x2", "absent"))
                .jsonPath("$.errors[0].key").isEqualTo("../bad")
                .jsonPath("$.errors[0].code").isEqualTo("invalid_key")
                // "detail", as in problem documents, not "message".
                .jsonPath("$.errors[0].detail").value(detail -> assertThat((String) detail).contains("segment"))
                .jsonPath("$.errors[0].message").doesNotExist();
        expectProblem(http.get().uri(url("x1")).header("X-Api-Key", key).exchange(), HttpStatus.NOT_FOUND, "object_not_found");
        // A full-size request (1,000 long keys) is accepted as JSON.
        List<String> longKeys = java.util.stream.IntStream.range(0, 1000).mapToObj(i -> i + "-" + "k".repeat(1000)).toList();
        http.post().uri("/v1/buckets/{b}/delete", bucket).header("X-Api-Key", key).contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Map.of("keys", longKeys)).exchange().expectStatus().isOk()
                .expectBody().jsonPath("$.deleted.length()").isEqualTo(1000);
        List<String> tooMany = java.util.stream.IntStream.range(0, 1001).mapToObj(i -> "k" + i).toList();
        expectProblem(http.post().uri("/v1/buckets/{b}/delete", bucket).header("X-Api-Key", key).contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Map.of("keys", tooMany)).exchange(), HttpStatus.BAD_REQUEST, "invalid_request");
    }

    @Test
    void overwriteReplacesTheVersion() {
        Map<String, Object> v1 = put("v", "one".getBytes(StandardCharsets.US_ASCII), MediaType.TEXT_PLAIN);
        Map<String, Object> v2 = put("v", "two".getBytes(StandardCharsets.US_ASCII), MediaType.TEXT_PLAIN);
        assertThat(v2.get("versionId")).isNotEqualTo(v1.get("versionId"));
        assertThat(new String(get("v"), StandardCharsets.US_ASCII)).isEqualTo("two");
    }

    // ---- content checks: every write's declared type must fit its bytes ---------------------

    /**
     * Rewrites an object's record in MongoDB as an older Granary (or a bug) could have left it:
     * with another declared type and the given detected type ({@code null}: none recorded, as
     * before detection was recorded).
     */
    private void rewriteRecord(Map<String, Object> stored, String contentType, String detectedType) {
        Update update = new Update().set("contentType", contentType);
        if (detectedType == null) {
            update.unset("detectedType");
        } else {
            update.set("detectedType", detectedType);
        }
        long changed = mongo.updateFirst(Query.query(Criteria.where("versionId").is(stored.get("versionId"))), update,
                "objects").block().getModifiedCount();
        assertThat(changed).isEqualTo(1);
    }

    private WebTestClient.ResponseSpec copy(String targetBucket, String sourceKey, String targetKey) {
        return http.post().uri("/v1/buckets/{b}/copy", targetBucket).header("X-Api-Key", key)
                .contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Map.of("sourceBucket", bucket, "sourceKey", sourceKey, "key", targetKey)).exchange();
    }

    private WebTestClient.ResponseSpec patchType(String objectKey, String type) {
        return http.patch().uri(url(objectKey)).header("X-Api-Key", key).contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Map.of("contentType", type)).exchange();
    }

    @Test
    void everyUploadIsSniffedAndWhatItIsGetsRecorded() {
        // This bucket has no allowlist: the bytes must fit the declared type all the same.
        assertThat(put("pic.png", png(20_000), MediaType.IMAGE_PNG)).containsEntry("detectedType", "image/png");
        expectProblem(http.put().uri(url("fake.png")).header("X-Api-Key", key).contentType(MediaType.IMAGE_PNG)
                .bodyValue("<html><script>alert(1)</script></html>".getBytes(StandardCharsets.US_ASCII)).exchange(),
                HttpStatus.UNSUPPORTED_MEDIA_TYPE, "content_type_mismatch");
        expectProblem(http.put().uri(url("archive.png")).header("X-Api-Key", key).contentType(MediaType.IMAGE_PNG)
                .bodyValue(zip()).exchange(), HttpStatus.UNSUPPORTED_MEDIA_TYPE, "content_type_mismatch");
        // A disguise that shows only after several chunks is stopped too (the first 8 KiB count).
        Flux<DataBuffer> chunked = Flux.range(0, 20).map(i -> DefaultDataBufferFactory.sharedInstance
                .wrap(java.util.Arrays.copyOfRange(startingWith(PDF, 20_000, 9), i * 1000, (i + 1) * 1000)));
        expectProblem(http.put().uri(url("chunked.jpg")).header("X-Api-Key", key).contentType(MediaType.IMAGE_JPEG)
                .body(chunked, DataBuffer.class).exchange(), HttpStatus.UNSUPPORTED_MEDIA_TYPE, "content_type_mismatch");
        for (String refused : List.of("fake.png", "archive.png", "chunked.jpg")) {
            expectProblem(http.get().uri(url(refused)).header("X-Api-Key", key).exchange(), HttpStatus.NOT_FOUND,
                    "object_not_found");
        }
        // Unrecognised bytes pass unless the declared type has a signature they lack.
        assertThat(put("notes.txt", "just text".getBytes(StandardCharsets.US_ASCII), MediaType.TEXT_PLAIN))
                .containsEntry("detectedType", "text/plain");
        assertThat(put("blob.bin", random(5000, 5), MediaType.APPLICATION_OCTET_STREAM))
                .containsEntry("detectedType", "application/octet-stream");
        put("custom.dat", random(5000, 6), MediaType.parseMediaType("application/x-granary-custom"));
        assertThat(put("archive.zip", zip(), ZIP)).containsEntry("detectedType", "application/zip");
        assertThat(put("empty.png", new byte[0], MediaType.IMAGE_PNG)).containsEntry("detectedType", null);
        http.get().uri("/v1/buckets/" + bucket + "/objects").header("X-Api-Key", key).exchange().expectStatus().isOk()
                .expectBody().jsonPath("$.objects[*].key")
                .isEqualTo(List.of("archive.zip", "blob.bin", "custom.dat", "empty.png", "notes.txt", "pic.png"));
    }

    @Test
    void copiesAreJudgedByTheRecordedDetectedType() {
        String images = unique("images");
        createBucket(key, images, Map.of("allowedContentTypes", List.of("image/*")));
        byte[] picture = png(5000);
        put("real.png", picture, MediaType.IMAGE_PNG);
        copy(images, "real.png", "copied.png").expectStatus().isOk()
                .expectBody().jsonPath("$.detectedType").isEqualTo("image/png");
        assertThat(http.get().uri("/v1/buckets/{b}/objects/copied.png", images).header("X-Api-Key", key).exchange()
                .expectStatus().isOk().expectBody(byte[].class).returnResult().getResponseBody()).isEqualTo(picture);

        // A ZIP declared as a PNG (which uploads no longer let in) is not copied into the images bucket.
        Map<String, Object> archive = put("packed.zip", zip(), ZIP);
        rewriteRecord(archive, "image/png", "application/zip");
        expectProblem(copy(images, "packed.zip", "packed.png"), HttpStatus.UNSUPPORTED_MEDIA_TYPE,
                "content_type_mismatch");
        expectProblem(copy(bucket, "packed.zip", "elsewhere.png"), HttpStatus.UNSUPPORTED_MEDIA_TYPE,
                "content_type_mismatch");
        // The recorded type decides, not a new read of the bytes: these bytes are a real PNG.
        Map<String, Object> mislabelled = put("mislabelled.png", png(3000), MediaType.IMAGE_PNG);
        rewriteRecord(mislabelled, "image/png", "application/zip");
        expectProblem(copy(images, "mislabelled.png", "m.png"), HttpStatus.UNSUPPORTED_MEDIA_TYPE,
                "content_type_mismatch");
        for (String refused : List.of("packed.png", "m.png")) {
            expectProblem(http.get().uri("/v1/buckets/{b}/objects/{k}", images, refused).header("X-Api-Key", key).exchange(),
                    HttpStatus.NOT_FOUND, "object_not_found");
        }
    }

    @Test
    void recordsWithoutADetectedTypeAreSniffedFromTheirFirstBytesWhenItMatters() {
        String images = unique("images");
        createBucket(key, images, Map.of("allowedContentTypes", List.of("image/*")));
        // Records as they were before detection was recorded: no detectedType.
        Map<String, Object> archive = put("old.zip", zip(), ZIP);
        rewriteRecord(archive, "image/png", null);
        Map<String, Object> picture = put("old.png", png(20_000), MediaType.IMAGE_PNG);
        rewriteRecord(picture, "image/png", null);

        expectProblem(copy(images, "old.zip", "old.png"), HttpStatus.UNSUPPORTED_MEDIA_TYPE, "content_type_mismatch");
        copy(images, "old.png", "old-copy.png").expectStatus().isOk()
                .expectBody().jsonPath("$.detectedType").isEqualTo("image/png");

        // A PATCH that leaves the type alone needs no look at the bytes; one that sets it does.
        http.patch().uri(url("old.zip")).header("X-Api-Key", key).contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Map.of("cacheControl", "no-cache")).exchange().expectStatus().isOk()
                .expectBody().jsonPath("$.detectedType").doesNotExist();
        expectProblem(patchType("old.zip", "image/gif"), HttpStatus.UNSUPPORTED_MEDIA_TYPE, "content_type_mismatch");
        patchType("old.zip", "application/zip").expectStatus().isOk()
                .expectBody().jsonPath("$.contentType").isEqualTo("application/zip")
                .jsonPath("$.detectedType").isEqualTo("application/zip");
    }

    @Test
    void patchedContentTypesMustFitTheBytesAndTheAllowlist() {
        String limited = unique("limited");
        createBucket(key, limited, Map.of("allowedContentTypes", List.of("image/*", "text/plain")));
        http.put().uri("/v1/buckets/{b}/objects/p.png", limited).header("X-Api-Key", key).contentType(MediaType.IMAGE_PNG)
                .bodyValue(png(1000)).exchange().expectStatus().isOk().expectBody();
        String limitedUrl = "/v1/buckets/" + limited + "/objects/p.png";
        expectProblem(http.patch().uri(limitedUrl).header("X-Api-Key", key).contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Map.of("contentType", "application/pdf")).exchange(),
                HttpStatus.UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type");
        expectProblem(http.patch().uri(limitedUrl).header("X-Api-Key", key).contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Map.of("contentType", "text/plain")).exchange(),
                HttpStatus.UNSUPPORTED_MEDIA_TYPE, "content_type_mismatch");
        http.get().uri(limitedUrl).header("X-Api-Key", key).exchange().expectStatus().isOk()
                .expectHeader().contentType(MediaType.IMAGE_PNG).expectBody();

        // Without an allowlist the bytes still have the last word.
        put("q.png", png(1000), MediaType.IMAGE_PNG);
        expectProblem(patchType("q.png", "application/pdf"), HttpStatus.UNSUPPORTED_MEDIA_TYPE, "content_type_mismatch");
        expectProblem(patchType("q.png", "text/html"), HttpStatus.UNSUPPORTED_MEDIA_TYPE, "content_type_mismatch");
        patchType("q.png", "application/octet-stream").expectStatus().isOk()
                .expectBody().jsonPath("$.contentType").isEqualTo("application/octet-stream")
                .jsonPath("$.detectedType").isEqualTo("image/png");
        put("t.txt", "plain words".getBytes(StandardCharsets.US_ASCII), MediaType.TEXT_PLAIN);
        patchType("t.txt", "text/markdown").expectStatus().isOk().expectBody();
        expectProblem(patchType("t.txt", "image/png"), HttpStatus.UNSUPPORTED_MEDIA_TYPE, "content_type_mismatch");
        http.get().uri(url("t.txt")).header("X-Api-Key", key).exchange().expectStatus().isOk()
                .expectHeader().contentType(MediaType.parseMediaType("text/markdown")).expectBody();
    }

    @Test
    void unknownBucketAndRoutesAreProblems() {
        expectProblem(http.get().uri("/v1/buckets/{b}/objects/k", unique("nope")).header("X-Api-Key", key).exchange(),
                HttpStatus.NOT_FOUND, "bucket_not_found");
        expectProblem(http.get().uri("/v1/nothing-here").header("X-Api-Key", key).exchange(), HttpStatus.NOT_FOUND, "not_found");
    }
}
