package io.granary.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.http.HttpMethod;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;

/**
 * The isolation matrix: every route, called with every kind of tenant-A credential (API keys of
 * each permission set, a bucket-scoped admin key, JWTs of A's admin and member users and of a
 * system admin acting on A, signed GET and PUT URLs) against tenant B's resources, is refused
 * (401, 403 or 404) — never a success, never a 500 — and leaves B's data exactly as it was.
 */
class TenantIsolationTest extends ApiTestSupport {

    private record Call(HttpMethod method, String path, Object body) {
    }

    @Test
    void noCredentialOfTenantAReachesTenantB() {
        String nameB = unique("victim");
        String tenantB = createTenant(nameB);
        String adminB = createKey(tenantB, List.of("admin"), null);
        createBucket(adminB, "vault", Map.of());
        createBucket(adminB, "site", Map.of("visibility", "public"));
        http.put().uri("/v1/buckets/vault/objects/secret.txt").header("X-Api-Key", adminB).contentType(MediaType.TEXT_PLAIN)
                .bodyValue("B's secret").exchange().expectStatus().isOk().expectBody();
        String uploadB = (String) http.post().uri("/v1/buckets/site/uploads").header("X-Api-Key", adminB)
                .contentType(MediaType.APPLICATION_JSON).bodyValue(Map.of("key", "up.txt", "size", 3, "contentType", "text/plain"))
                .exchange().expectStatus().isCreated().expectBody(Map.class).returnResult().getResponseBody().get("uploadId");
        String keyIdB = (String) http.get().uri("/v1/tenants/{t}/keys", tenantB).header("X-Api-Key", adminB).exchange()
                .expectBody(new ParameterizedTypeReference<Map<String, List<Map<String, Object>>>>() { })
                .returnResult().getResponseBody().get("keys").get(0).get("id");

        String nameA = unique("attacker");
        String tenantA = createTenant(nameA);
        String adminA = createKey(tenantA, List.of("admin"), null);
        createBucket(adminA, "vault", Map.of()); // same bucket name as B's
        http.put().uri("/v1/buckets/vault/objects/secret.txt").header("X-Api-Key", adminA).bodyValue("A's own")
                .exchange().expectStatus().isOk().expectBody();
        String userNameB = unique("b-user");
        String userB = createUser(tenantB, userNameB, "member");
        Map<String, Consumer<WebTestClient.RequestBodySpec>> credentials = new LinkedHashMap<>();
        for (List<String> permissions : List.of(List.of("read"), List.of("list"), List.of("write"), List.of("delete"),
                List.of("admin"), List.of("read", "list", "write", "delete"))) {
            String key = createKey(tenantA, permissions, null);
            credentials.put("key " + permissions, spec -> spec.header("X-Api-Key", key));
        }
        String scoped = createKey(tenantA, List.of("admin"), List.of("vault"));
        credentials.put("scoped admin", spec -> spec.header("X-Api-Key", scoped));
        for (String role : List.of("tenant-admin", "member")) {
            String name = unique("a-" + role);
            createUser(tenantA, name, role);
            String jwt = accessToken(name, USER_PASSWORD);
            credentials.put(role + " JWT", spec -> spec.header("Authorization", "Bearer " + jwt));
        }
        String system = accessToken("admin", ADMIN_PASSWORD);
        credentials.put("system admin JWT acting on A", spec -> spec.header("Authorization", "Bearer " + system)
                .header("X-Granary-Tenant", nameA));
        Function<String, String> tokenFor = method -> {
            String url = (String) http.post().uri("/v1/buckets/vault/signed-urls").header("X-Api-Key", adminA)
                    .contentType(MediaType.APPLICATION_JSON).bodyValue(Map.of("key", "secret.txt", "method", method))
                    .exchange().expectBody(Map.class).returnResult().getResponseBody().get("url");
            return url.substring(url.indexOf("token=") + "token=".length());
        };
        List<String> tokens = List.of(tokenFor.apply("GET"), tokenFor.apply("PUT"));

        List<Call> calls = new ArrayList<>(List.of(
                new Call(HttpMethod.GET, "/v1/tenants/" + tenantB, null),
                new Call(HttpMethod.DELETE, "/v1/tenants/" + tenantB, null),
                new Call(HttpMethod.GET, "/v1/tenants/" + tenantB + "/keys", null),
                new Call(HttpMethod.POST, "/v1/tenants/" + tenantB + "/keys", Map.of("name", "x", "permissions", List.of("admin"))),
                new Call(HttpMethod.DELETE, "/v1/tenants/" + tenantB + "/keys/" + keyIdB, null),
                new Call(HttpMethod.GET, "/v1/tenants/" + tenantB + "/s3-credentials", null),
                new Call(HttpMethod.POST, "/v1/tenants/" + tenantB + "/s3-credentials", Map.of("name", "x", "permissions", List.of("admin"))),
                new Call(HttpMethod.GET, "/v1/tenants/" + tenantB + "/issuers", null),
                new Call(HttpMethod.POST, "/v1/tenants/" + tenantB + "/issuers", Map.of("issuer", "https://idp.example")),
                new Call(HttpMethod.POST, "/v1/users", Map.of("username", unique("x"), "password", USER_PASSWORD,
                        "role", "tenant-admin", "tenantId", tenantB)),
                new Call(HttpMethod.GET, "/v1/users/" + userB, null),
                new Call(HttpMethod.PATCH, "/v1/users/" + userB, Map.of("password", "taken-over-password")),
                new Call(HttpMethod.DELETE, "/v1/users/" + userB, null),
                new Call(HttpMethod.GET, "/v1/buckets/site", null),
                new Call(HttpMethod.PATCH, "/v1/buckets/site", Map.of("visibility", "private")),
                new Call(HttpMethod.DELETE, "/v1/buckets/site?force=true", null),
                new Call(HttpMethod.GET, "/v1/buckets/site/objects", null),
                new Call(HttpMethod.GET, "/v1/buckets/site/objects/secret.txt", null),
                new Call(HttpMethod.POST, "/v1/buckets/site/copy", Map.of("sourceBucket", "vault", "sourceKey", "secret.txt", "key", "x")),
                new Call(HttpMethod.POST, "/v1/buckets/site/delete", Map.of("keys", List.of("secret.txt"))),
                new Call(HttpMethod.POST, "/v1/buckets/site/signed-urls", Map.of("key", "secret.txt")),
                new Call(HttpMethod.POST, "/v1/buckets/site/uploads", Map.of("key", "x", "size", 1, "contentType", "text/plain")),
                new Call(HttpMethod.GET, "/v1/buckets/site/uploads/" + uploadB, null),
                new Call(HttpMethod.POST, "/v1/buckets/site/uploads/" + uploadB + "/complete", null),
                new Call(HttpMethod.POST, "/v1/buckets/vault/uploads/" + uploadB + "/complete", null),
                new Call(HttpMethod.GET, "/public/" + nameB + "/vault/secret.txt", null)));
        List<String> refusals = new ArrayList<>();
        for (Map.Entry<String, Consumer<WebTestClient.RequestBodySpec>> credential : credentials.entrySet()) {
            for (Call call : calls) {
                refusals.add(expectRefused(call, credential.getValue(), credential.getKey()));
            }
            // Listing users answers with the caller's own tenant's users, or not at all.
            WebTestClient.RequestBodySpec list = http.method(HttpMethod.GET)
                    .uri(java.net.URI.create("http://127.0.0.1:" + port + "/v1/users?tenant=" + tenantB));
            credential.getValue().accept(list);
            String users = list.exchange().expectBody(String.class).returnResult().getResponseBody();
            assertThat(users).as("users seen by %s", credential.getKey()).doesNotContain(userB);
        }
        for (String token : tokens) {
            for (Call call : calls) {
                String path = call.path() + (call.path().contains("?") ? "&" : "?") + "token=" + token;
                refusals.add(expectRefused(new Call(call.method(), path, call.body()), spec -> { }, "signed URL"));
            }
        }
        assertThat(refusals).isNotEmpty().allSatisfy(status -> assertThat(status).isIn("401", "403", "404", "405"));

        // B's data is untouched; A's same-named bucket held only A's bytes all along.
        http.get().uri("/v1/buckets/vault/objects/secret.txt").header("X-Api-Key", adminB).exchange()
                .expectStatus().isOk().expectBody(String.class).isEqualTo("B's secret");
        http.get().uri("/v1/buckets/site").header("X-Api-Key", adminB).exchange().expectStatus().isOk()
                .expectBody().jsonPath("$.visibility").isEqualTo("public");
        http.get().uri("/v1/buckets/site/uploads/{u}", uploadB).header("X-Api-Key", adminB).exchange().expectStatus().isOk()
                .expectBody().jsonPath("$.state").isEqualTo("pending");
        http.get().uri("/v1/tenants/{t}/keys", tenantB).header("X-Api-Key", adminB).exchange().expectStatus().isOk()
                .expectBody().jsonPath("$.keys.length()").isEqualTo(1);
        http.get().uri("/v1/buckets/vault/objects/secret.txt").header("X-Api-Key", adminA).exchange()
                .expectBody(String.class).isEqualTo("A's own");
        // B's user can still log in with the original password.
        assertThat(login(userNameB, USER_PASSWORD)).containsKey("accessToken");
        // The audit log of A's admin shows none of B's events, even when asked for them.
        http.get().uri("/v1/audit?tenant=" + tenantB).header("X-Api-Key", adminA).exchange().expectStatus().isOk()
                .expectBody().jsonPath("$.events[?(@.tenantId == '" + tenantB + "')]").isEmpty();
    }

    /** Sends the call and asserts a refusal (a 4xx); returns the status. */
    private String expectRefused(Call call, Consumer<WebTestClient.RequestBodySpec> auth, String who) {
        WebTestClient.RequestBodySpec spec = http.method(call.method())
                .uri(java.net.URI.create("http://127.0.0.1:" + port + call.path()));
        auth.accept(spec);
        WebTestClient.RequestHeadersSpec<?> request = call.body() == null ? spec
                : spec.contentType(MediaType.APPLICATION_JSON).bodyValue(call.body());
        int status = request.exchange().expectBody().returnResult().getStatus().value();
        assertThat(status).as("%s %s with %s", call.method(), call.path(), who).isBetween(400, 499);
        return Integer.toString(status);
    }
}
