package io.granary.api;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;

class BucketApiTest extends ApiTestSupport {

    @Test
    void createGetListPatchDelete() {
        String admin = newTenantAdmin();
        String name = unique("photos");
        http.post().uri("/v1/buckets").header("X-Api-Key", admin).contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Map.of("name", name, "visibility", "public", "maxObjectSize", 1024,
                        "allowedContentTypes", List.of("image/*")))
                .exchange().expectStatus().isCreated()
                .expectHeader().location("/v1/buckets/" + name)
                .expectBody().jsonPath("$.name").isEqualTo(name).jsonPath("$.visibility").isEqualTo("public")
                .jsonPath("$.maxObjectSize").isEqualTo(1024).jsonPath("$.allowedContentTypes[0]").isEqualTo("image/*");

        http.get().uri("/v1/buckets").header("X-Api-Key", admin).exchange().expectStatus().isOk()
                .expectBody().jsonPath("$.buckets[0].name").isEqualTo(name);

        http.patch().uri("/v1/buckets/{b}", name).header("X-Api-Key", admin).contentType(MediaType.APPLICATION_JSON)
                .bodyValue("{\"visibility\":\"private\",\"maxObjectSize\":null}")
                .exchange().expectStatus().isOk()
                .expectBody().jsonPath("$.visibility").isEqualTo("private").jsonPath("$.maxObjectSize").doesNotExist()
                .jsonPath("$.allowedContentTypes[0]").isEqualTo("image/*");
        http.get().uri("/v1/buckets/{b}", name).header("X-Api-Key", admin).exchange().expectStatus().isOk()
                .expectBody().jsonPath("$.visibility").isEqualTo("private");

        // A PATCH changes only what it names; an empty one changes nothing.
        http.patch().uri("/v1/buckets/{b}", name).header("X-Api-Key", admin).contentType(MediaType.APPLICATION_JSON)
                .bodyValue("{}").exchange().expectStatus().isOk()
                .expectBody().jsonPath("$.visibility").isEqualTo("private").jsonPath("$.allowedContentTypes[0]").isEqualTo("image/*");

        http.delete().uri("/v1/buckets/{b}", name).header("X-Api-Key", admin).exchange().expectStatus().isNoContent();
        expectProblem(http.get().uri("/v1/buckets/{b}", name).header("X-Api-Key", admin).exchange(),
                HttpStatus.NOT_FOUND, "bucket_not_found");
    }

    @Test
    void bucketNamesFollowS3Rules() {
        String admin = newTenantAdmin();
        for (String bad : List.of("ab", "UPPER", "-dash", "dash-", "a..b", "192.168.1.1", "xn--abc", "under_score",
                "a".repeat(64), "white space")) {
            expectProblem(http.post().uri("/v1/buckets").header("X-Api-Key", admin).contentType(MediaType.APPLICATION_JSON)
                    .bodyValue(Map.of("name", bad)).exchange(), HttpStatus.BAD_REQUEST, "invalid_bucket_name");
        }
        String name = unique("dup");
        createBucket(admin, name, Map.of());
        expectProblem(http.post().uri("/v1/buckets").header("X-Api-Key", admin).contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Map.of("name", name)).exchange(), HttpStatus.CONFLICT, "bucket_exists");
    }

    @Test
    void invalidSettingsAre400() {
        String admin = newTenantAdmin();
        expectProblem(http.post().uri("/v1/buckets").header("X-Api-Key", admin).contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Map.of("name", unique("b"), "visibility", "secret")).exchange(), HttpStatus.BAD_REQUEST, "invalid_request");
        expectProblem(http.post().uri("/v1/buckets").header("X-Api-Key", admin).contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Map.of("name", unique("b"), "maxObjectSize", -1)).exchange(), HttpStatus.BAD_REQUEST, "invalid_request");
        expectProblem(http.post().uri("/v1/buckets").header("X-Api-Key", admin).contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Map.of("name", unique("b"), "allowedContentTypes", List.of("not a type"))).exchange(),
                HttpStatus.BAD_REQUEST, "invalid_request");
        String name = unique("b");
        createBucket(admin, name, Map.of());
        expectProblem(http.patch().uri("/v1/buckets/{b}", name).header("X-Api-Key", admin).contentType(MediaType.APPLICATION_JSON)
                .bodyValue("{\"color\":\"red\"}").exchange(), HttpStatus.BAD_REQUEST, "invalid_json");
        expectProblem(http.patch().uri("/v1/buckets/{b}", name).header("X-Api-Key", admin).contentType(MediaType.APPLICATION_JSON)
                .bodyValue("[1,2]").exchange(), HttpStatus.BAD_REQUEST, "invalid_json");
    }

    @Test
    void nonEmptyBucketNeedsForce() {
        String admin = newTenantAdmin();
        String name = unique("full");
        createBucket(admin, name, Map.of());
        http.put().uri("/v1/buckets/{b}/objects/a/b.txt", name).header("X-Api-Key", admin)
                .contentType(MediaType.TEXT_PLAIN).bodyValue("hello").exchange().expectStatus().isOk().expectBody();
        expectProblem(http.delete().uri("/v1/buckets/{b}", name).header("X-Api-Key", admin).exchange(),
                HttpStatus.CONFLICT, "bucket_not_empty");
        http.delete().uri("/v1/buckets/{b}?force=true", name).header("X-Api-Key", admin).exchange().expectStatus().isNoContent();
        // The name is free again and the new bucket starts empty.
        createBucket(admin, name, Map.of());
        http.get().uri("/v1/buckets/{b}/objects", name).header("X-Api-Key", admin).exchange().expectStatus().isOk()
                .expectBody().jsonPath("$.objects").isEmpty();
    }

    @Test
    void tenantsAreIsolatedAndKeysAreScoped() {
        String adminA = newTenantAdmin();
        String adminB = newTenantAdmin();
        String name = unique("shared-name");
        createBucket(adminA, name, Map.of());
        http.put().uri("/v1/buckets/{b}/objects/secret.txt", name).header("X-Api-Key", adminA)
                .bodyValue("tenant A only").exchange().expectStatus().isOk().expectBody();

        // B sees nothing of A's bucket, even knowing its name...
        expectProblem(http.get().uri("/v1/buckets/{b}", name).header("X-Api-Key", adminB).exchange(),
                HttpStatus.NOT_FOUND, "bucket_not_found");
        expectProblem(http.get().uri("/v1/buckets/{b}/objects/secret.txt", name).header("X-Api-Key", adminB).exchange(),
                HttpStatus.NOT_FOUND, "bucket_not_found");
        // ...and may create a bucket with the same name without touching A's data.
        createBucket(adminB, name, Map.of());
        expectProblem(http.get().uri("/v1/buckets/{b}/objects/secret.txt", name).header("X-Api-Key", adminB).exchange(),
                HttpStatus.NOT_FOUND, "object_not_found");
        http.get().uri("/v1/buckets/{b}/objects/secret.txt", name).header("X-Api-Key", adminA).exchange()
                .expectStatus().isOk().expectBody(String.class).isEqualTo("tenant A only");
    }

    @Test
    void permissionsAndBucketScopeAreEnforced() {
        String tenantId = createTenant(unique("perm"));
        String admin = createKey(tenantId, List.of("admin"), null);
        String allowed = unique("allowed");
        String other = unique("other");
        createBucket(admin, allowed, Map.of());
        createBucket(admin, other, Map.of());
        String reader = createKey(tenantId, List.of("read", "list"), List.of(allowed));
        String writer = createKey(tenantId, List.of("write"), null);

        http.put().uri("/v1/buckets/{b}/objects/k", allowed).header("X-Api-Key", writer).bodyValue("x")
                .exchange().expectStatus().isOk().expectBody();
        http.put().uri("/v1/buckets/{b}/objects/k", other).header("X-Api-Key", writer).bodyValue("y")
                .exchange().expectStatus().isOk().expectBody();
        expectProblem(http.put().uri("/v1/buckets/{b}/objects/k", allowed).header("X-Api-Key", reader).bodyValue("z")
                .exchange(), HttpStatus.FORBIDDEN, "forbidden");
        expectProblem(http.get().uri("/v1/buckets/{b}/objects/k", allowed).header("X-Api-Key", writer).exchange(),
                HttpStatus.FORBIDDEN, "forbidden");
        expectProblem(http.delete().uri("/v1/buckets/{b}/objects/k", allowed).header("X-Api-Key", reader).exchange(),
                HttpStatus.FORBIDDEN, "forbidden");
        http.get().uri("/v1/buckets/{b}/objects/k", allowed).header("X-Api-Key", reader).exchange().expectStatus().isOk().expectBody();
        expectProblem(http.get().uri("/v1/buckets/{b}/objects/k", other).header("X-Api-Key", reader).exchange(),
                HttpStatus.FORBIDDEN, "forbidden");
        http.get().uri("/v1/buckets").header("X-Api-Key", reader).exchange().expectStatus().isOk()
                .expectBody().jsonPath("$.buckets.length()").isEqualTo(1).jsonPath("$.buckets[0].name").isEqualTo(allowed);
        expectProblem(http.post().uri("/v1/buckets").header("X-Api-Key", writer).contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Map.of("name", unique("nope"))).exchange(), HttpStatus.FORBIDDEN, "forbidden");
    }
}
