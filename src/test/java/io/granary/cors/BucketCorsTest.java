package io.granary.cors;

import static org.assertj.core.api.Assertions.assertThat;

import io.granary.api.ApiTestSupport;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;

/**
 * A bucket's CORS rules, set through REST, answer preflights without a credential and decorate
 * the answers of the REST object routes, signed URLs, {@code /public} and tus; another tenant's
 * bucket of the same name never lends its rules to an answer.
 */
class BucketCorsTest extends ApiTestSupport {

    private static final String APP = "https://app.example.com";
    private static final Map<String, Object> RULE = Map.of(
            "allowedOrigins", List.of(APP, "https://*.preview.example.com"),
            "allowedMethods", List.of("GET", "PUT", "POST", "PATCH", "HEAD"),
            "allowedHeaders", List.of("x-api-key", "content-type", "tus-*", "upload-*"),
            "exposeHeaders", List.of("ETag", "Location", "Upload-Offset"),
            "maxAgeSeconds", 600);

    private String tenantName;
    private String admin;
    private String bucket;

    @BeforeEach
    void bucketWithRules() {
        tenantName = unique("cors");
        admin = createKey(createTenant(tenantName), List.of("admin"), null);
        bucket = unique("site");
        createBucket(admin, bucket, Map.of("visibility", "public"));
        http.put().uri("/v1/buckets/{b}/cors", bucket).header("X-Api-Key", admin).contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Map.of("rules", List.of(RULE))).exchange().expectStatus().isNoContent().expectBody();
        http.put().uri("/v1/buckets/{b}/objects/page.txt", bucket).header("X-Api-Key", admin)
                .contentType(MediaType.TEXT_PLAIN).bodyValue("hello").exchange().expectStatus().isOk().expectBody();
    }

    @Test
    void theRulesReadBackAndInvalidOnesAreRefused() {
        http.get().uri("/v1/buckets/{b}/cors", bucket).header("X-Api-Key", admin).exchange().expectStatus().isOk()
                .expectBody()
                .jsonPath("$.rules[0].allowedOrigins[1]").isEqualTo("https://*.preview.example.com")
                .jsonPath("$.rules[0].allowedMethods.length()").isEqualTo(5)
                .jsonPath("$.rules[0].maxAgeSeconds").isEqualTo(600);
        for (Map<String, ?> bad : List.<Map<String, ?>>of(
                Map.of("allowedOrigins", List.of("https://app.example.com/path"), "allowedMethods", List.of("GET")),
                Map.of("allowedOrigins", List.of("https://*.*.example.com"), "allowedMethods", List.of("GET")),
                Map.of("allowedOrigins", List.of(APP), "allowedMethods", List.of("TRACE")),
                Map.of("allowedOrigins", List.of(), "allowedMethods", List.of("GET")),
                Map.of("allowedOrigins", List.of(APP), "allowedMethods", List.of("GET"), "maxAgeSeconds", -1))) {
            expectProblem(http.put().uri("/v1/buckets/{b}/cors", bucket).header("X-Api-Key", admin)
                    .contentType(MediaType.APPLICATION_JSON).bodyValue(Map.of("rules", List.of(bad))).exchange(),
                    HttpStatus.BAD_REQUEST, "invalid_request");
        }
        // Nothing refused replaced the rules.
        preflight("/v1/buckets/" + bucket + "/objects/page.txt", APP, "PUT", "x-api-key").expectStatus().isOk().expectBody();
    }

    @Test
    void aPreflightIsAnsweredWithoutACredentialFromTheFirstAllowingRule() {
        preflight("/v1/buckets/" + bucket + "/objects/new.txt", APP, "PUT", "X-Api-Key, Content-Type")
                .expectStatus().isOk()
                .expectHeader().valueEquals(HttpHeaders.ACCESS_CONTROL_ALLOW_ORIGIN, APP)
                .expectHeader().valueEquals(HttpHeaders.ACCESS_CONTROL_ALLOW_HEADERS, "X-Api-Key, Content-Type")
                .expectHeader().valueEquals(HttpHeaders.ACCESS_CONTROL_MAX_AGE, "600")
                .expectHeader().value(HttpHeaders.ACCESS_CONTROL_ALLOW_METHODS, methods -> assertThat(methods).contains("PUT"))
                .expectBody().isEmpty();
        preflight("/v1/buckets/" + bucket + "/objects/new.txt", "https://pr-7.preview.example.com", "GET", null)
                .expectStatus().isOk()
                .expectHeader().valueEquals(HttpHeaders.ACCESS_CONTROL_ALLOW_ORIGIN, "https://pr-7.preview.example.com")
                .expectBody();

        expectProblem(preflight("/v1/buckets/" + bucket + "/objects/new.txt", "https://evil.example.net", "PUT", null),
                HttpStatus.FORBIDDEN, "cors_forbidden");
        expectProblem(preflight("/v1/buckets/" + bucket + "/objects/new.txt", APP, "DELETE", null),
                HttpStatus.FORBIDDEN, "cors_forbidden");
        expectProblem(preflight("/v1/buckets/" + bucket + "/objects/new.txt", APP, "PUT", "x-secret"),
                HttpStatus.FORBIDDEN, "cors_forbidden");
        expectProblem(preflight("/v1/buckets/" + unique("none") + "/objects/x", APP, "GET", null),
                HttpStatus.FORBIDDEN, "cors_forbidden");

        // Removing the rules ends it.
        http.delete().uri("/v1/buckets/{b}/cors", bucket).header("X-Api-Key", admin).exchange().expectStatus().isNoContent()
                .expectBody();
        expectProblem(preflight("/v1/buckets/" + bucket + "/objects/new.txt", APP, "PUT", null),
                HttpStatus.FORBIDDEN, "cors_forbidden");
        http.get().uri("/v1/buckets/{b}/cors", bucket).header("X-Api-Key", admin).exchange().expectStatus().isOk()
                .expectBody().jsonPath("$.rules.length()").isEqualTo(0);
        http.get().uri("/v1/audit?type=bucket_cors_changed").header("X-Api-Key", admin).exchange().expectStatus().isOk()
                .expectBody().jsonPath("$.events[0].details.rules").isEqualTo("1")
                .jsonPath("$.events[1].details.rules").isEqualTo("0");
    }

    @Test
    void answersCarryTheHeadersOnlyForAnAllowedOrigin() {
        // A small object with an API key would take the hot read path: an Origin sends it the full way.
        http.get().uri("/v1/buckets/{b}/objects/page.txt", bucket).header("X-Api-Key", admin).header(HttpHeaders.ORIGIN, APP)
                .exchange().expectStatus().isOk()
                .expectHeader().valueEquals(HttpHeaders.ACCESS_CONTROL_ALLOW_ORIGIN, APP)
                .expectHeader().valueEquals(HttpHeaders.ACCESS_CONTROL_EXPOSE_HEADERS, "ETag, Location, Upload-Offset")
                .expectHeader().valueEquals(HttpHeaders.VARY, "Origin")
                .expectBody(String.class).isEqualTo("hello");
        http.get().uri("/v1/buckets/{b}/objects/page.txt", bucket).header("X-Api-Key", admin)
                .header(HttpHeaders.ORIGIN, "https://evil.example.net").exchange().expectStatus().isOk()
                .expectHeader().doesNotExist(HttpHeaders.ACCESS_CONTROL_ALLOW_ORIGIN)
                .expectHeader().valueEquals(HttpHeaders.VARY, "Origin")
                .expectBody();
        // A refusal carries them too, so the page can read why.
        http.get().uri("/v1/buckets/{b}/objects/missing.txt", bucket).header("X-Api-Key", admin).header(HttpHeaders.ORIGIN, APP)
                .exchange().expectStatus().isNotFound()
                .expectHeader().valueEquals(HttpHeaders.ACCESS_CONTROL_ALLOW_ORIGIN, APP)
                .expectBody();
        // DELETE is not among the rule's methods.
        http.delete().uri("/v1/buckets/{b}/objects/page.txt", bucket).header("X-Api-Key", admin).header(HttpHeaders.ORIGIN, APP)
                .exchange().expectStatus().isNoContent()
                .expectHeader().doesNotExist(HttpHeaders.ACCESS_CONTROL_ALLOW_ORIGIN)
                .expectBody();
    }

    @Test
    void publicUrlsSignedUrlsAndTusFollowTheSameRules() {
        String publicPath = "/public/" + tenantName + "/" + bucket + "/page.txt";
        preflight(publicPath, APP, "GET", null).expectStatus().isOk()
                .expectHeader().valueEquals(HttpHeaders.ACCESS_CONTROL_ALLOW_ORIGIN, APP).expectBody();
        expectProblem(preflight("/public/" + unique("nobody") + "/" + bucket + "/page.txt", APP, "GET", null),
                HttpStatus.FORBIDDEN, "cors_forbidden");
        http.get().uri(publicPath).header(HttpHeaders.ORIGIN, APP).exchange().expectStatus().isOk()
                .expectHeader().valueEquals(HttpHeaders.ACCESS_CONTROL_ALLOW_ORIGIN, APP)
                .expectBody(String.class).isEqualTo("hello");

        String signed = (String) http.post().uri("/v1/buckets/{b}/signed-urls", bucket).header("X-Api-Key", admin)
                .contentType(MediaType.APPLICATION_JSON).bodyValue(Map.of("key", "page.txt", "method", "GET"))
                .exchange().expectStatus().isOk().expectBody(Map.class).returnResult().getResponseBody().get("url");
        http.get().uri(java.net.URI.create(signed.startsWith("http") ? signed : "http://127.0.0.1:" + port + signed))
                .header(HttpHeaders.ORIGIN, APP).exchange().expectStatus().isOk()
                .expectHeader().valueEquals(HttpHeaders.ACCESS_CONTROL_ALLOW_ORIGIN, APP)
                .expectBody(String.class).isEqualTo("hello");

        // tus discovery: a preflight for OPTIONS, then the OPTIONS itself, neither with a credential.
        preflight("/v1/tus/" + bucket, APP, "OPTIONS", "tus-resumable").expectStatus().isOk().expectBody();
        http.options().uri("/v1/tus/{b}", bucket).header(HttpHeaders.ORIGIN, APP).header("Tus-Resumable", "1.0.0").exchange()
                .expectStatus().isNoContent().expectHeader().valueEquals(HttpHeaders.ACCESS_CONTROL_ALLOW_ORIGIN, APP)
                .expectHeader().valueEquals("Tus-Version", "1.0.0").expectBody();
        preflight("/v1/tus/" + bucket, APP, "POST", "tus-resumable, upload-length, upload-metadata, x-api-key")
                .expectStatus().isOk().expectHeader().valueEquals(HttpHeaders.ACCESS_CONTROL_ALLOW_ORIGIN, APP).expectBody();
        String location = http.post().uri("/v1/tus/{b}", bucket).header("X-Api-Key", admin).header("Tus-Resumable", "1.0.0")
                .header("Upload-Length", "3").header("Upload-Metadata", "filename dHVzLnR4dA==")
                .header(HttpHeaders.ORIGIN, APP).exchange().expectStatus().isCreated()
                .expectHeader().valueEquals(HttpHeaders.ACCESS_CONTROL_ALLOW_ORIGIN, APP)
                .expectHeader().valueEquals(HttpHeaders.ACCESS_CONTROL_EXPOSE_HEADERS, "ETag, Location, Upload-Offset")
                .expectBody().returnResult().getResponseHeaders().getLocation().toString();
        preflight(java.net.URI.create(location).getPath(), APP, "PATCH", "tus-resumable, upload-offset, content-type, x-api-key")
                .expectStatus().isOk().expectBody();
    }

    @Test
    void uploadIntentUrlsFollowTheirBucketsRules() {
        Map<?, ?> created = http.post().uri("/v1/buckets/{b}/uploads", bucket).header("X-Api-Key", admin)
                .contentType(MediaType.APPLICATION_JSON).bodyValue(Map.of("key", "up.txt", "size", 5, "contentType", "text/plain"))
                .exchange().expectStatus().isCreated().expectBody(Map.class).returnResult().getResponseBody();
        java.net.URI url = java.net.URI.create((String) created.get("url"));
        String pathAndToken = url.getRawPath() + "?" + url.getRawQuery();
        preflight(pathAndToken, APP, "PUT", "content-type").expectStatus().isOk()
                .expectHeader().valueEquals(HttpHeaders.ACCESS_CONTROL_ALLOW_ORIGIN, APP).expectBody();
        expectProblem(preflight(pathAndToken, "https://evil.example.net", "PUT", "content-type"),
                HttpStatus.FORBIDDEN, "cors_forbidden");
        // Without its token (or with another upload's) the URL names no bucket.
        expectProblem(preflight(url.getRawPath(), APP, "PUT", "content-type"), HttpStatus.FORBIDDEN, "cors_forbidden");
        expectProblem(preflight("/v1/uploads/" + unique("x") + "?" + url.getRawQuery(), APP, "PUT", null),
                HttpStatus.FORBIDDEN, "cors_forbidden");
        http.put().uri(url).header(HttpHeaders.ORIGIN, APP).contentType(MediaType.TEXT_PLAIN).bodyValue("hello")
                .exchange().expectStatus().is2xxSuccessful()
                .expectHeader().valueEquals(HttpHeaders.ACCESS_CONTROL_ALLOW_ORIGIN, APP)
                .expectBody();
    }

    @Test
    void anotherTenantsBucketOfTheSameNameLendsNoHeadersToAnAnswer() {
        String otherAdmin = createKey(createTenant(unique("other")), List.of("admin"), null);
        createBucket(otherAdmin, bucket, Map.of());
        http.put().uri("/v1/buckets/{b}/objects/page.txt", bucket).header("X-Api-Key", otherAdmin)
                .contentType(MediaType.TEXT_PLAIN).bodyValue("theirs").exchange().expectStatus().isOk().expectBody();

        // The preflight names no tenant: the first tenant's rule lets the browser send the request...
        preflight("/v1/buckets/" + bucket + "/objects/page.txt", APP, "GET", "x-api-key").expectStatus().isOk().expectBody();
        // A signed URL names its tenant: the other tenant's URL gets no rule from the first one's bucket.
        String signed = (String) http.post().uri("/v1/buckets/{b}/signed-urls", bucket).header("X-Api-Key", otherAdmin)
                .contentType(MediaType.APPLICATION_JSON).bodyValue(Map.of("key", "page.txt", "method", "PUT"))
                .exchange().expectStatus().isOk().expectBody(Map.class).returnResult().getResponseBody().get("url");
        java.net.URI url = java.net.URI.create(signed);
        expectProblem(preflight(url.getRawPath() + "?" + url.getRawQuery(), APP, "PUT", "content-type"),
                HttpStatus.FORBIDDEN, "cors_forbidden");
        // ...and the answer from the other tenant's bucket, which has no rules, does not let the page read it.
        http.get().uri("/v1/buckets/{b}/objects/page.txt", bucket).header("X-Api-Key", otherAdmin).header(HttpHeaders.ORIGIN, APP)
                .exchange().expectStatus().isOk()
                .expectHeader().doesNotExist(HttpHeaders.ACCESS_CONTROL_ALLOW_ORIGIN)
                .expectBody(String.class).isEqualTo("theirs");
    }

    private WebTestClient.ResponseSpec preflight(String path, String origin, String method, String headers) {
        WebTestClient.RequestHeadersSpec<?> spec = http.method(HttpMethod.OPTIONS).uri(java.net.URI.create(
                        "http://127.0.0.1:" + port + path))
                .header(HttpHeaders.ORIGIN, origin).header(HttpHeaders.ACCESS_CONTROL_REQUEST_METHOD, method);
        if (headers != null) {
            spec = spec.header(HttpHeaders.ACCESS_CONTROL_REQUEST_HEADERS, headers);
        }
        return spec.exchange();
    }
}
