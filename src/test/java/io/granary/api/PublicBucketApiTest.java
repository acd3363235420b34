package io.granary.api;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;

/** Anonymous reads of public buckets, and nothing else. */
class PublicBucketApiTest extends ApiTestSupport {

    @Test
    void contentThatCouldRunScriptIsServedSandboxed() {
        String tenant = unique("active");
        String admin = createKey(createTenant(tenant), List.of("admin"), null);
        createBucket(admin, "site", Map.of("visibility", "public"));
        Map<String, Boolean> sandboxed = Map.of("text/html", true, "image/svg+xml", true, "application/xml", true,
                "text/plain", true, "application/octet-stream", true, "image/png", false, "video/mp4", false,
                "audio/mpeg", false, "application/pdf", false);
        sandboxed.forEach((type, sandbox) -> {
            String key = "f/" + type.replace('/', '-');
            http.put().uri("/v1/buckets/site/objects/" + key).header("X-Api-Key", admin)
                    .contentType(MediaType.parseMediaType(type)).bodyValue(bodyOf(type)).exchange().expectStatus().isOk().expectBody();
            // Every way of reading it: the API (hot path, full path with a range), HEAD, anonymously.
            List<WebTestClient.ResponseSpec> reads = List.of(
                    http.get().uri("/v1/buckets/site/objects/" + key).header("X-Api-Key", admin).exchange(),
                    http.get().uri("/v1/buckets/site/objects/" + key).header("X-Api-Key", admin).header("Range", "bytes=0-1").exchange(),
                    http.head().uri("/v1/buckets/site/objects/" + key).header("X-Api-Key", admin).exchange(),
                    http.get().uri("/public/{t}/site/" + key, tenant).exchange());
            for (WebTestClient.ResponseSpec read : reads) {
                read.expectStatus().is2xxSuccessful().expectHeader().valueEquals("X-Content-Type-Options", "nosniff")
                        .expectHeader().value("Content-Security-Policy", policy ->
                                org.assertj.core.api.Assertions.assertThat(policy).as(type).isEqualTo(sandbox ? "sandbox" : null))
                        .expectBody();
            }
        });
    }

    /** Bytes that pass Granary's check of the declared type against the content. */
    private static byte[] bodyOf(String type) {
        return switch (type) {
            case "image/png" -> new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 0, 0, 0, 13, 'I', 'H', 'D', 'R'};
            case "video/mp4" -> new byte[] {0, 0, 0, 0x18, 'f', 't', 'y', 'p', 'i', 's', 'o', 'm', 0, 0, 2, 0};
            case "audio/mpeg" -> new byte[] {'I', 'D', '3', 3, 0, 0, 0, 0, 0, 0};
            case "application/pdf" -> "%PDF-1.4\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
            case "image/svg+xml" -> "<svg xmlns=\"http://www.w3.org/2000/svg\"/>".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
            case "application/xml" -> "<?xml version=\"1.0\"?><a/>".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
            default -> "<b>x</b>".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        };
    }

    @Test
    void publicBucketsAreReadableAnonymouslyPrivateOnesDoNotExist() {
        String tenant = unique("pub");
        String admin = createKey(createTenant(tenant), List.of("admin"), null);
        createBucket(admin, "site", Map.of("visibility", "public"));
        createBucket(admin, "vault", Map.of());
        for (String b : List.of("site", "vault")) {
            http.put().uri("/v1/buckets/{b}/objects/img/logo.svg", b).header("X-Api-Key", admin)
                    .contentType(MediaType.parseMediaType("image/svg+xml")).bodyValue("<svg/>").exchange()
                    .expectStatus().isOk().expectBody();
        }

        http.get().uri("/public/{t}/site/img/logo.svg", tenant).exchange().expectStatus().isOk()
                .expectHeader().contentType("image/svg+xml").expectBody(String.class).isEqualTo("<svg/>");
        http.head().uri("/public/{t}/site/img/logo.svg", tenant).exchange().expectStatus().isOk().expectBody().isEmpty();
        http.get().uri("/public/{t}/site/img/logo.svg", tenant).header("Range", "bytes=0-3").exchange()
                .expectStatus().isEqualTo(HttpStatus.PARTIAL_CONTENT).expectBody(String.class).isEqualTo("<svg");

        expectProblem(http.get().uri("/public/{t}/vault/img/logo.svg", tenant).exchange(), HttpStatus.NOT_FOUND, "bucket_not_found");
        expectProblem(http.get().uri("/public/{t}/nothing/img/logo.svg", tenant).exchange(), HttpStatus.NOT_FOUND, "bucket_not_found");
        expectProblem(http.get().uri("/public/{t}/site/img/logo.svg", unique("nobody")).exchange(),
                HttpStatus.NOT_FOUND, "bucket_not_found");
        expectProblem(http.get().uri("/public/{t}/site/img/missing.svg", tenant).exchange(), HttpStatus.NOT_FOUND, "object_not_found");

        // Read-only: writes are not routes here, and listing stays private.
        http.put().uri("/public/{t}/site/img/logo.svg", tenant).bodyValue("x").exchange()
                .expectStatus().isEqualTo(HttpStatus.METHOD_NOT_ALLOWED).expectBody();
        // A bad key is the same 400 whether or not the tenant exists.
        for (String name : List.of(tenant, unique("nobody"))) {
            expectProblem(http.get().uri(java.net.URI.create("http://127.0.0.1:" + port + "/public/" + name + "/site/a/%2E%2E/b"))
                    .exchange(), HttpStatus.BAD_REQUEST, "invalid_key");
        }
        // ...answered alike for tenants that do not exist, so names cannot be probed that way.
        http.put().uri("/public/{t}/site/img/logo.svg", unique("nobody")).bodyValue("x").exchange()
                .expectStatus().isEqualTo(HttpStatus.METHOD_NOT_ALLOWED).expectBody();
        expectProblem(http.get().uri("/v1/buckets/site/objects").exchange(), HttpStatus.UNAUTHORIZED, "unauthenticated");

        // Turning a bucket private takes effect at once.
        http.patch().uri("/v1/buckets/site").header("X-Api-Key", admin).contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Map.of("visibility", "private")).exchange().expectStatus().isOk().expectBody();
        expectProblem(http.get().uri("/public/{t}/site/img/logo.svg", tenant).exchange(), HttpStatus.NOT_FOUND, "bucket_not_found");
    }
}
