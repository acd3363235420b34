package io.granary.security.signed;

import static org.assertj.core.api.Assertions.assertThat;

import io.granary.api.ApiTestSupport;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;

/** Signed URLs end to end: issuing, using, and every way a token must fail. */
class SignedUrlApiTest extends ApiTestSupport {

    @Autowired
    SignedUrlCodec codec;

    @Autowired
    SigningKeyService signingKeys;

    private String tenantId;
    private String admin;
    private String bucket;

    @BeforeEach
    void tenantWithObject() {
        tenantId = createTenant(unique("signed"));
        admin = createKey(tenantId, List.of("admin"), null);
        bucket = unique("signed");
        createBucket(admin, bucket, Map.of());
        http.put().uri("/v1/buckets/{b}/objects/docs/report 1.txt", bucket).header("X-Api-Key", admin)
                .contentType(MediaType.TEXT_PLAIN).bodyValue("quarterly").exchange().expectStatus().isOk().expectBody();
    }

    private Map<String, Object> issue(String key, Map<String, Object> request) {
        return http.post().uri("/v1/buckets/{b}/signed-urls", bucket).header("X-Api-Key", key)
                .contentType(MediaType.APPLICATION_JSON).bodyValue(request).exchange().expectStatus().isOk()
                .expectBody(new ParameterizedTypeReference<Map<String, Object>>() { }).returnResult().getResponseBody();
    }

    /** The URL exactly as issued. */
    private static URI local(Map<String, Object> issued) {
        return URI.create((String) issued.get("url"));
    }

    private static String token(Map<String, Object> issued) {
        String query = URI.create((String) issued.get("url")).getRawQuery();
        return query.substring("token=".length());
    }

    @Test
    void getUrlReadsTheObjectWithoutCredentials() {
        Map<String, Object> issued = issue(admin, Map.of("key", "docs/report 1.txt", "method", "GET",
                "ttlSeconds", 120, "download", "report.txt"));
        assertThat((String) issued.get("url")).startsWith("http://127.0.0.1:" + port + "/v1/buckets/" + bucket
                + "/objects/docs/report%201.txt?token=");
        assertThat(Instant.parse((String) issued.get("expiresAt"))).isBetween(Instant.now().plusSeconds(100),
                Instant.now().plusSeconds(121));
        http.get().uri(local(issued)).exchange().expectStatus().isOk()
                .expectHeader().value(HttpHeaders.CONTENT_DISPOSITION, v -> assertThat(v).contains("report.txt"))
                .expectBody(String.class).isEqualTo("quarterly");
        http.head().uri(local(issued)).exchange().expectStatus().isOk().expectBody().isEmpty();
    }

    @Test
    void putUrlUploadsWithinItsLimits() {
        Map<String, Object> issued = issue(admin, Map.of("key", "uploads/photo.png", "method", "PUT",
                "contentType", "image/png", "maxSize", 10));
        expectProblem(http.put().uri(local(issued)).contentType(MediaType.IMAGE_JPEG).bodyValue(new byte[5]).exchange(),
                HttpStatus.UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type");
        expectProblem(http.put().uri(local(issued)).contentType(MediaType.IMAGE_PNG).bodyValue(new byte[11]).exchange(),
                HttpStatus.CONTENT_TOO_LARGE, "entity_too_large");
        expectProblem(http.put().uri(local(issued)).contentType(MediaType.IMAGE_PNG).bodyValue("<html>".getBytes())
                .exchange(), HttpStatus.UNSUPPORTED_MEDIA_TYPE, "content_type_mismatch");
        byte[] png = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 0, 0};
        http.put().uri(local(issued)).contentType(MediaType.IMAGE_PNG).bodyValue(png).exchange()
                .expectStatus().isOk().expectBody().jsonPath("$.size").isEqualTo(10);
        // A PUT URL does not read, and a GET URL does not write.
        expectProblem(http.get().uri(local(issued)).exchange(), HttpStatus.FORBIDDEN, "signed_url_mismatch");
        Map<String, Object> read = issue(admin, Map.of("key", "uploads/photo.png"));
        expectProblem(http.put().uri(local(read)).contentType(MediaType.IMAGE_PNG).bodyValue(new byte[1]).exchange(),
                HttpStatus.FORBIDDEN, "signed_url_mismatch");
        http.get().uri(local(read)).exchange().expectStatus().isOk().expectBody().consumeWith(r ->
                assertThat(r.getResponseBody()).hasSize(10));
    }

    @Test
    void putUrlsWithoutAPinnedTypeStillHaveTheirBytesChecked() {
        Map<String, Object> issued = issue(admin, Map.of("key", "uploads/any", "method", "PUT"));
        expectProblem(http.put().uri(local(issued)).contentType(MediaType.IMAGE_PNG)
                .bodyValue("<html><script>alert(1)</script></html>".getBytes(StandardCharsets.US_ASCII)).exchange(),
                HttpStatus.UNSUPPORTED_MEDIA_TYPE, "content_type_mismatch");
        expectProblem(http.get().uri("/v1/buckets/{b}/objects/uploads/any", bucket).header("X-Api-Key", admin).exchange(),
                HttpStatus.NOT_FOUND, "object_not_found");
        http.put().uri(local(issued)).contentType(MediaType.TEXT_HTML)
                .bodyValue("<html><body>fine as what it is</body></html>".getBytes(StandardCharsets.US_ASCII)).exchange()
                .expectStatus().isOk().expectBody().jsonPath("$.detectedType").isEqualTo("text/html");
    }

    @Test
    void tokensOnlyWorkForTheirObjectBucketAndRoute() {
        Map<String, Object> issued = issue(admin, Map.of("key", "docs/report 1.txt"));
        String token = token(issued);
        expectProblem(http.get().uri("/v1/buckets/{b}/objects/docs/other.txt?token={t}", bucket, token).exchange(),
                HttpStatus.FORBIDDEN, "signed_url_mismatch");
        String other = unique("other");
        createBucket(admin, other, Map.of());
        expectProblem(http.get().uri("/v1/buckets/{b}/objects/docs/report 1.txt?token={t}", other, token).exchange(),
                HttpStatus.FORBIDDEN, "signed_url_mismatch");
        expectProblem(http.get().uri("/v1/buckets/{b}/objects?token={t}", bucket, token).exchange(),
                HttpStatus.FORBIDDEN, "signed_url_mismatch");
        expectProblem(http.delete().uri("/v1/buckets/{b}/objects/docs/report 1.txt?token={t}", bucket, token).exchange(),
                HttpStatus.FORBIDDEN, "signed_url_mismatch");
        expectProblem(http.get().uri("/v1/buckets?token={t}", token).exchange(), HttpStatus.FORBIDDEN, "forbidden");
        // Metadata changes are never delegated, not even with an upload URL for the very object.
        String upload = token(issue(admin, Map.of("key", "docs/report 1.txt", "method", "PUT")));
        for (String path : List.of("docs/report 1.txt", "docs/other.txt")) {
            expectProblem(http.patch().uri("/v1/buckets/{b}/objects/" + path + "?token={t}", bucket, upload)
                    .contentType(MediaType.APPLICATION_JSON).bodyValue(Map.of("contentType", "text/html")).exchange(),
                    HttpStatus.FORBIDDEN, "signed_url_mismatch");
        }
        http.get().uri("/v1/buckets/{b}/objects/docs/report 1.txt", bucket).header("X-Api-Key", admin).exchange()
                .expectHeader().contentType("text/plain").expectBody();

        // The path is read in the token's tenant: another tenant's bucket is out of reach.
        String otherAdmin = createKey(createTenant(unique("else")), List.of("admin"), null);
        String foreign = unique("foreign");
        createBucket(otherAdmin, foreign, Map.of());
        expectProblem(http.get().uri("/v1/buckets/{b}/objects/docs/report 1.txt?token={t}", foreign, token).exchange(),
                HttpStatus.FORBIDDEN, "signed_url_mismatch");

        // A bucket deleted and created again under the same name does not honour old URLs.
        http.delete().uri("/v1/buckets/{b}?force=true", bucket).header("X-Api-Key", admin).exchange()
                .expectStatus().isNoContent();
        createBucket(admin, bucket, Map.of());
        expectProblem(http.get().uri(local(issued)).exchange(), HttpStatus.FORBIDDEN, "signed_url_mismatch");
    }

    @Test
    void forgedTamperedAndExpiredTokensAreRefused() {
        String token = token(issue(admin, Map.of("key", "docs/report 1.txt")));
        String payload = new String(Base64.getUrlDecoder().decode(token.substring(0, token.indexOf('.'))), StandardCharsets.UTF_8);
        String tampered = Base64.getUrlEncoder().withoutPadding().encodeToString(
                payload.replace("report 1.txt", "secret.txt").getBytes(StandardCharsets.UTF_8)) + token.substring(token.indexOf('.'));
        for (String bad : List.of(tampered, token.substring(0, token.length() - 3), "garbage", "a.b", token + "x", ".",
                token + "=")) {
            expectProblem(http.get().uri("/v1/buckets/{b}/objects/docs/report 1.txt?token={t}", bucket, bad).exchange(),
                    HttpStatus.FORBIDDEN, "signed_url_invalid");
        }
        expectProblem(http.get().uri("/v1/buckets/{b}/objects/docs/secret.txt?token={t}", bucket, tampered).exchange(),
                HttpStatus.FORBIDDEN, "signed_url_invalid");

        // Correctly signed, but past its expiry.
        SigningKey key = signingKeys.current().block();
        String bucketId = payload.replaceAll(".*\"b\":\"([0-9a-f]{24})\".*", "$1");
        String issuer = payload.replaceAll(".*\"ik\":\"([0-9a-f]{24})\".*", "$1");
        String expired = codec.encode(new SignedUrlToken(1, key.kid(), tenantId, bucketId, "docs/report 1.txt", "GET",
                Instant.now().getEpochSecond() - 1, null, null, null, issuer, null, null), key);
        expectProblem(http.get().uri("/v1/buckets/{b}/objects/docs/report 1.txt?token={t}", bucket, expired).exchange(),
                HttpStatus.FORBIDDEN, "signed_url_expired");
    }

    @Test
    void revokingTheIssuingKeyRevokesItsUrls() {
        String issuer = createKey(tenantId, List.of("read"), null);
        Map<String, Object> issued = issue(issuer, Map.of("key", "docs/report 1.txt"));
        Map<String, Object> byAdmin = issue(admin, Map.of("key", "docs/report 1.txt"));
        http.get().uri(local(issued)).exchange().expectStatus().isOk().expectBody();
        String issuerId = (String) http.get().uri("/v1/tenants/{t}/keys", tenantId).header("X-Api-Key", admin).exchange()
                .expectBody(new ParameterizedTypeReference<Map<String, List<Map<String, Object>>>>() { })
                .returnResult().getResponseBody().get("keys").stream()
                .filter(k -> List.of("read").equals(k.get("permissions"))).findFirst().orElseThrow().get("id");
        http.delete().uri("/v1/tenants/{t}/keys/{k}", tenantId, issuerId).header("X-Api-Key", admin).exchange()
                .expectStatus().isNoContent();
        expectProblem(http.get().uri(local(issued)).exchange(), HttpStatus.FORBIDDEN, "signed_url_invalid");
        http.get().uri(local(byAdmin)).exchange().expectStatus().isOk().expectBody();
    }

    @Test
    void rotationKeepsOldUrlsUntilTheirKeyIsRetired() {
        Map<String, Object> before = issue(admin, Map.of("key", "docs/report 1.txt"));
        Map<String, Object> rotated = asRoot(http.post().uri("/v1/signing-keys")).exchange().expectStatus().isCreated()
                .expectBody(new ParameterizedTypeReference<Map<String, Object>>() { }).returnResult().getResponseBody();
        assertThat(rotated).containsKey("kid").doesNotContainKey("secret");
        assertThat(rotated.get("id")).isEqualTo(rotated.get("kid"));
        Map<String, Object> after = issue(admin, Map.of("key", "docs/report 1.txt"));
        http.get().uri(local(before)).exchange().expectStatus().isOk().expectBody();
        http.get().uri(local(after)).exchange().expectStatus().isOk().expectBody();

        String oldKid = new String(Base64.getUrlDecoder().decode(token(before).substring(0, token(before).indexOf('.'))),
                StandardCharsets.UTF_8).replaceAll(".*\"kid\":\"([0-9a-f]{24})\".*", "$1");
        assertThat(oldKid).isNotEqualTo(rotated.get("kid"));
        asRoot(http.delete().uri("/v1/signing-keys/{kid}", oldKid)).exchange().expectStatus().isNoContent();
        expectProblem(http.get().uri(local(before)).exchange(), HttpStatus.FORBIDDEN, "signed_url_invalid");
        http.get().uri(local(after)).exchange().expectStatus().isOk().expectBody();
        asRoot(http.get().uri("/v1/signing-keys")).exchange().expectStatus().isOk()
                .expectBody().jsonPath("$.keys[0].kid").isEqualTo(rotated.get("kid")).jsonPath("$.keys[0].secret").doesNotExist()
                .jsonPath("$.keys[0].id").isEqualTo(rotated.get("kid"));
        expectProblem(http.post().uri("/v1/signing-keys").header("X-Api-Key", admin).exchange(), HttpStatus.FORBIDDEN, "forbidden");
    }

    @Test
    void callersDelegateOnlyWhatTheyHold() {
        String writer = createKey(tenantId, List.of("write"), null);
        String scoped = createKey(tenantId, List.of("read"), List.of("elsewhere"));
        expectProblem(http.post().uri("/v1/buckets/{b}/signed-urls", bucket).header("X-Api-Key", writer)
                .contentType(MediaType.APPLICATION_JSON).bodyValue(Map.of("key", "docs/report 1.txt", "method", "GET")).exchange(),
                HttpStatus.FORBIDDEN, "forbidden");
        issue(writer, Map.of("key", "new.txt", "method", "PUT"));
        expectProblem(http.post().uri("/v1/buckets/{b}/signed-urls", bucket).header("X-Api-Key", scoped)
                .contentType(MediaType.APPLICATION_JSON).bodyValue(Map.of("key", "docs/report 1.txt")).exchange(),
                HttpStatus.FORBIDDEN, "forbidden");
        expectProblem(asRoot(http.post().uri("/v1/buckets/{b}/signed-urls", bucket)
                .contentType(MediaType.APPLICATION_JSON).bodyValue(Map.of("key", "docs/report 1.txt"))).exchange(),
                HttpStatus.FORBIDDEN, "forbidden");
        for (Map<String, Object> bad : List.of(Map.<String, Object>of("key", "x", "ttlSeconds", 59),
                Map.<String, Object>of("key", "x", "ttlSeconds", 604_801), Map.<String, Object>of("key", "x", "method", "DELETE"),
                Map.<String, Object>of("key", "../x"), Map.<String, Object>of("key", "x", "method", "GET", "maxSize", 5),
                Map.<String, Object>of("key", "x", "method", "PUT", "contentType", "not a type"),
                Map.<String, Object>of("key", "x", "method", "PUT", "contentType", "image/*"))) {
            Map<String, Object> body = new java.util.HashMap<>(bad);
            var response = http.post().uri("/v1/buckets/{b}/signed-urls", bucket).header("X-Api-Key", admin)
                    .contentType(MediaType.APPLICATION_JSON).bodyValue(body).exchange();
            response.expectStatus().isBadRequest().expectBody().jsonPath("$.code").value(code ->
                    assertThat(code).isIn("invalid_request", "invalid_key"));
        }
    }
}
