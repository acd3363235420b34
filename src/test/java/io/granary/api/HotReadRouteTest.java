package io.granary.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.EntityExchangeResult;
import org.springframework.test.web.reactive.server.WebTestClient;

/**
 * Plain GETs and HEADs of small objects with an API key are answered on the hot read path
 * (counted in granary_hot_reads_total) with exactly what the full WebFlux path answers, and every
 * rule still applies there: revocation at once, permissions, overwrites, deletes.
 */
class HotReadRouteTest extends ApiTestSupport {

    private static final Pattern HOT_READS = Pattern.compile("(?m)^granary_hot_reads_total(?:\\{[^}]*})? ([0-9.E]+)$");

    @Test
    void answersExactlyWhatTheFullPathAnswers() {
        String key = newTenantAdmin();
        String bucket = unique("hot");
        createBucket(key, bucket, Map.of("cacheControl", "public, max-age=60"));
        http.put().uri("/v1/buckets/{b}/objects/dir/h%C3%A9llo.txt", bucket).header("X-Api-Key", key)
                .header("X-Meta-Owner", "ada").contentType(MediaType.TEXT_PLAIN).bodyValue("hot bytes")
                .exchange().expectStatus().isOk().expectBody();
        http.put().uri("/v1/buckets/{b}/objects/empty", bucket).header("X-Api-Key", key)
                .contentType(MediaType.APPLICATION_OCTET_STREAM).bodyValue(new byte[0]).exchange().expectStatus().isOk().expectBody();

        for (String path : List.of("/v1/buckets/" + bucket + "/objects/dir/h%C3%A9llo.txt", "/v1/buckets/" + bucket + "/objects/empty")) {
            get(path, key); // warm
            double before = hotReads();
            EntityExchangeResult<byte[]> hot = get(path, key);
            assertThat(hotReads()).as("answered on the hot path").isEqualTo(before + 1);
            // A query (even an unknown parameter) sends the request through WebFlux.
            EntityExchangeResult<byte[]> full = get(path + "?full=1", key);
            assertThat(hotReads()).as("not on the hot path").isEqualTo(before + 1);
            assertThat(hot.getResponseBody()).isEqualTo(full.getResponseBody());
            assertThat(comparable(hot.getResponseHeaders())).isEqualTo(comparable(full.getResponseHeaders()));

            EntityExchangeResult<byte[]> hotHead = http.head().uri(path).header("X-Api-Key", key).exchange()
                    .expectStatus().isOk().expectBody().returnResult();
            EntityExchangeResult<byte[]> fullHead = http.head().uri(path + "?full=1").header("X-Api-Key", key).exchange()
                    .expectStatus().isOk().expectBody().returnResult();
            assertThat(hotReads()).as("the first HEAD on the hot path").isEqualTo(before + 2);
            assertThat(hotHead.getResponseBody()).isNullOrEmpty();
            assertThat(comparable(hotHead.getResponseHeaders())).isEqualTo(comparable(fullHead.getResponseHeaders()));
        }
        EntityExchangeResult<byte[]> hot = get("/v1/buckets/" + bucket + "/objects/dir/h%C3%A9llo.txt", key);
        assertThat(new String(hot.getResponseBody())).isEqualTo("hot bytes");
        assertThat(hot.getResponseHeaders().getFirst("X-Meta-Owner")).isEqualTo("ada");
        assertThat(hot.getResponseHeaders().getCacheControl()).isEqualTo("public, max-age=60");
        assertThat(hot.getResponseHeaders().getContentLength()).isEqualTo(9);
        // The caller's request id is echoed, as by the full path.
        http.get().uri("/v1/buckets/{b}/objects/empty", bucket).header("X-Api-Key", key).header("X-Request-Id", "trace-me-1")
                .exchange().expectStatus().isOk().expectHeader().valueEquals("X-Request-Id", "trace-me-1").expectBody();
    }

    @Test
    void cachedBytesThatDoNotMatchTheRecordAreLeftToTheFullPath() throws IOException {
        String tenantId = createTenant(unique("hotdmg"));
        String key = createKey(tenantId, List.of("admin"), null);
        String bucket = unique("hotdmg");
        createBucket(key, bucket, Map.of());
        http.put().uri("/v1/buckets/{b}/objects/a.bin", bucket).header("X-Api-Key", key)
                .contentType(MediaType.APPLICATION_OCTET_STREAM).bodyValue(new byte[100]).exchange().expectStatus().isOk().expectBody();
        // The store's file shrinks behind Granary's back before the first read fills the cache.
        List<Path> blobs;
        try (Stream<Path> files = Files.walk(DATA_DIR.resolve("store/blobs/t").resolve(tenantId))) {
            blobs = files.filter(Files::isRegularFile).toList();
        }
        assertThat(blobs).hasSize(1);
        Files.write(blobs.get(0), new byte[50]);

        double before = hotReads();
        // Not 50 bytes under a Content-Length of 100, which left the client waiting for the rest.
        expectProblem(http.get().uri("/v1/buckets/{b}/objects/a.bin", bucket).header("X-Api-Key", key).exchange(),
                HttpStatus.BAD_GATEWAY, "store_error");
        assertThat(hotReads()).as("not answered on the hot path").isEqualTo(before);
    }

    @Test
    void everyRuleStillApplies() {
        String tenantId = createTenant(unique("rules"));
        String admin = createKey(tenantId, List.of("admin"), null);
        String bucket = unique("hot");
        createBucket(admin, bucket, Map.of());
        String reader = createKey(tenantId, List.of("read"), null);
        String writerOnly = createKey(tenantId, List.of("write"), null);
        String path = "/v1/buckets/" + bucket + "/objects/a";
        http.put().uri(path).header("X-Api-Key", admin).bodyValue("first").exchange().expectStatus().isOk().expectBody();
        assertThat(new String(get(path, reader).getResponseBody())).isEqualTo("first");
        get(path, reader);

        // Permissions: a key that may not read gets the full path's 403.
        expectProblem(http.get().uri(path).header("X-Api-Key", writerOnly).exchange(), HttpStatus.FORBIDDEN, "forbidden");
        // An overwrite is served at once; a delete is a 404 at once.
        http.put().uri(path).header("X-Api-Key", admin).bodyValue("second").exchange().expectStatus().isOk().expectBody();
        assertThat(new String(get(path, reader).getResponseBody())).isEqualTo("second");
        http.delete().uri(path).header("X-Api-Key", admin).exchange().expectStatus().is2xxSuccessful().expectBody();
        expectProblem(http.get().uri(path).header("X-Api-Key", reader).exchange(), HttpStatus.NOT_FOUND, "object_not_found");
        // Revoking a key ends its hot reads with the next request.
        http.put().uri(path).header("X-Api-Key", admin).bodyValue("third").exchange().expectStatus().isOk().expectBody();
        get(path, reader);
        String readerId = (String) asRoot(http.get().uri("/v1/tenants/{id}/keys", tenantId)).exchange()
                .expectStatus().isOk()
                .expectBody(new ParameterizedTypeReference<Map<String, List<Map<String, Object>>>>() { })
                .returnResult().getResponseBody().get("keys").stream()
                .filter(item -> List.of("read").equals(item.get("permissions"))).findFirst().orElseThrow().get("id");
        asRoot(http.delete().uri("/v1/tenants/{t}/keys/{k}", tenantId, readerId)).exchange().expectStatus().is2xxSuccessful().expectBody();
        expectProblem(http.get().uri(path).header("X-Api-Key", reader).exchange(), HttpStatus.UNAUTHORIZED, "unauthenticated");
        // Conditional and range requests are answered in full by the WebFlux path.
        String etag = get(path, admin).getResponseHeaders().getETag();
        http.get().uri(path).header("X-Api-Key", admin).header(HttpHeaders.IF_NONE_MATCH, etag).exchange()
                .expectStatus().isNotModified().expectBody();
        http.get().uri(path).header("X-Api-Key", admin).header(HttpHeaders.RANGE, "bytes=1-2").exchange()
                .expectStatus().isEqualTo(HttpStatus.PARTIAL_CONTENT).expectBody(String.class).isEqualTo("hi");
    }

    @Test
    void refusalsThatNeedOnlyTheCredentialAreAnsweredAsTheFullPathAnswersThem() {
        String tenantId = createTenant(unique("hotno"));
        String admin = createKey(tenantId, List.of("admin"), null);
        String bucket = unique("hot");
        createBucket(admin, bucket, Map.of());
        String path = "/v1/buckets/" + bucket + "/objects/a";
        http.put().uri(path).header("X-Api-Key", admin).bodyValue("bytes").exchange().expectStatus().isOk().expectBody();
        String slow = (String) http.post().uri("/v1/tenants/{t}/keys", tenantId).header("Authorization", "Bearer " + ROOT_KEY)
                .contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Map.of("name", "slow", "permissions", List.of("read"), "requestsPerSecond", 0.5))
                .exchange().expectStatus().isCreated()
                .expectBody(new ParameterizedTypeReference<Map<String, Object>>() { }).returnResult().getResponseBody().get("secret");

        assertSameRefusal(path, null, HttpStatus.UNAUTHORIZED, "unauthenticated");
        assertSameRefusal(path, "not-a-key", HttpStatus.UNAUTHORIZED, "unauthenticated");
        // A burst of one second at half a request per second: the first read is allowed, no more.
        http.get().uri(path).header("X-Api-Key", slow).exchange().expectStatus().isOk().expectBody();
        assertSameRefusal(path, slow, HttpStatus.TOO_MANY_REQUESTS, "rate_limited");
    }

    /** The hot path's refusal and the full path's (sent there by a query) differ in nothing but the request id. */
    private void assertSameRefusal(String path, String key, HttpStatus status, String code) {
        EntityExchangeResult<Map<String, Object>> hot = refusal(path, key, status);
        EntityExchangeResult<Map<String, Object>> full = refusal(path + "?full=1", key, status);
        assertThat(hot.getResponseBody()).containsEntry("code", code);
        Map<String, Object> hotBody = new TreeMap<>(hot.getResponseBody());
        Map<String, Object> fullBody = new TreeMap<>(full.getResponseBody());
        assertThat(hotBody.remove("requestId")).isEqualTo(hot.getResponseHeaders().getFirst("X-Request-Id"));
        fullBody.remove("requestId");
        assertThat(hotBody).isEqualTo(fullBody);
        Map<String, List<String>> hotHeaders = comparable(hot.getResponseHeaders());
        Map<String, List<String>> fullHeaders = comparable(full.getResponseHeaders());
        // The bodies differ in the request id's length.
        hotHeaders.remove("Content-Length");
        fullHeaders.remove("Content-Length");
        assertThat(hotHeaders).isEqualTo(fullHeaders);
    }

    @Test
    void keptRenditionsAreAnsweredExactlyAsTheFullPathAnswersThem() throws IOException {
        String key = newTenantAdmin();
        String bucket = unique("hotimg");
        createBucket(key, bucket, Map.of("cacheControl", "public, max-age=60"));
        http.put().uri("/v1/buckets/{b}/image-presets", bucket).header("X-Api-Key", key).contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Map.of("presets", List.of(Map.of("name", "thumb", "transform", Map.of("width", 16, "format", "png")))))
                .exchange().expectStatus().isNoContent().expectBody();
        BufferedImage photo = new BufferedImage(64, 48, BufferedImage.TYPE_INT_RGB);
        ByteArrayOutputStream jpeg = new ByteArrayOutputStream();
        ImageIO.write(photo, "jpeg", jpeg);
        String path = "/v1/buckets/" + bucket + "/objects/photo.jpg";
        http.put().uri(path).header("X-Api-Key", key).contentType(MediaType.IMAGE_JPEG).bodyValue(jpeg.toByteArray())
                .exchange().expectStatus().isOk().expectBody();

        // Each query, then the same with an escape, which only the full path decodes.
        Map<String, String> queries = Map.of("?width=20&format=png", "?width=20&format=pn%67",
                "?preset=thumb", "?preset=thum%62",
                "?width=24&format=auto", "?width=24&format=aut%6F");
        for (Map.Entry<String, String> query : queries.entrySet()) {
            double made = hotReads();
            http.get().uri(path + query.getKey()).header("X-Api-Key", key).header("Accept", "image/webp,*/*").exchange()
                    .expectStatus().isOk().expectBody();
            assertThat(hotReads()).as("a rendition not made yet is made by the full path").isEqualTo(made);
            EntityExchangeResult<byte[]> hot = http.get().uri(path + query.getKey()).header("X-Api-Key", key)
                    .header("Accept", "image/webp,*/*").exchange().expectStatus().isOk().expectBody().returnResult();
            assertThat(hotReads()).as("answered on the hot path").isEqualTo(made + 1);
            // As sent: a URI template would escape the escape.
            EntityExchangeResult<byte[]> full = http.get().uri(URI.create("http://localhost:" + port + path + query.getValue())).header("X-Api-Key", key)
                    .header("Accept", "image/webp,*/*").exchange().expectStatus().isOk().expectBody().returnResult();
            assertThat(hotReads()).as("not on the hot path").isEqualTo(made + 1);
            assertThat(hot.getResponseBody()).isEqualTo(full.getResponseBody());
            assertThat(comparable(hot.getResponseHeaders())).isEqualTo(comparable(full.getResponseHeaders()));
            EntityExchangeResult<byte[]> hotHead = http.head().uri(path + query.getKey()).header("X-Api-Key", key)
                    .header("Accept", "image/webp,*/*").exchange().expectStatus().isOk().expectBody().returnResult();
            assertThat(hotReads()).as("HEAD on the hot path").isEqualTo(made + 2);
            assertThat(comparable(hotHead.getResponseHeaders())).isEqualTo(comparable(full.getResponseHeaders()));
        }
        EntityExchangeResult<byte[]> auto = get(path + "?width=24&format=auto", key);
        assertThat(auto.getResponseHeaders().getVary()).containsExactly("Accept");
        assertThat(auto.getResponseHeaders().getCacheControl()).isEqualTo("public, max-age=60");

        // Refusals are the full path's, whatever this path claimed.
        double before = hotReads();
        expectProblem(http.get().uri(path + "?width=0").header("X-Api-Key", key).exchange(),
                HttpStatus.UNPROCESSABLE_CONTENT, "invalid_transform");
        expectProblem(http.get().uri(path + "?preset=none").header("X-Api-Key", key).exchange(),
                HttpStatus.UNPROCESSABLE_CONTENT, "invalid_transform");
        http.put().uri("/v1/buckets/{b}/objects/notes.txt", bucket).header("X-Api-Key", key).contentType(MediaType.TEXT_PLAIN)
                .bodyValue("text").exchange().expectStatus().isOk().expectBody();
        expectProblem(http.get().uri("/v1/buckets/{b}/objects/notes.txt?width=20", bucket).header("X-Api-Key", key).exchange(),
                HttpStatus.UNPROCESSABLE_CONTENT, "not_an_image");
        expectProblem(http.get().uri(path + "?width=20&format=png").header("X-Api-Key", newTenantAdmin()).exchange(),
                HttpStatus.NOT_FOUND, "bucket_not_found");
        assertThat(hotReads()).isEqualTo(before);
        // A new version's rendition is not the old one's.
        http.put().uri(path).header("X-Api-Key", key).contentType(MediaType.TEXT_PLAIN).bodyValue("no longer an image")
                .exchange().expectStatus().isOk().expectBody();
        expectProblem(http.get().uri(path + "?width=20&format=png").header("X-Api-Key", key).exchange(),
                HttpStatus.UNPROCESSABLE_CONTENT, "not_an_image");
    }

    private EntityExchangeResult<Map<String, Object>> refusal(String path, String key, HttpStatus status) {
        WebTestClient.RequestHeadersSpec<?> request = http.get().uri(path);
        if (key != null) {
            request = request.header("X-Api-Key", key);
        }
        return request.exchange().expectStatus().isEqualTo(status)
                .expectBody(new ParameterizedTypeReference<Map<String, Object>>() { }).returnResult();
    }

    private EntityExchangeResult<byte[]> get(String path, String key) {
        return http.get().uri(path).header("X-Api-Key", key).exchange().expectStatus().isOk().expectBody().returnResult();
    }

    /** Every header but the per-request ones. */
    private static Map<String, List<String>> comparable(HttpHeaders headers) {
        Map<String, List<String>> all = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        headers.forEach((name, values) -> all.put(name, values));
        all.remove("X-Request-Id");
        all.remove("Date");
        return all;
    }

    private double hotReads() {
        String metrics = http.get().uri("/actuator/prometheus").exchange().expectStatus().isOk()
                .expectBody(String.class).returnResult().getResponseBody();
        Matcher matcher = HOT_READS.matcher(metrics);
        return matcher.find() ? Double.parseDouble(matcher.group(1)) : 0;
    }
}
