package io.granary.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;

class TenantAndKeyApiTest extends ApiTestSupport {

    @Test
    void rootCreatesListsGetsAndDeletesTenants() {
        String name = unique("acme");
        String id = createTenant(name);
        asRoot(http.get().uri("/v1/tenants/{id}", id)).exchange().expectStatus().isOk()
                .expectBody().jsonPath("$.name").isEqualTo(name).jsonPath("$.createdAt").exists();
        asRoot(http.get().uri("/v1/tenants")).exchange().expectStatus().isOk()
                .expectBody().jsonPath("$.tenants[?(@.id == '" + id + "')].name").isEqualTo(name);
        asRoot(http.delete().uri("/v1/tenants/{id}", id)).exchange().expectStatus().isNoContent();
        expectProblem(asRoot(http.get().uri("/v1/tenants/{id}", id)).exchange(), HttpStatus.NOT_FOUND, "tenant_not_found");
    }

    @Test
    void duplicateOrInvalidTenantNamesAreRejected() {
        String name = unique("dup");
        createTenant(name);
        expectProblem(http.post().uri("/v1/tenants").header("Authorization", "Bearer " + ROOT_KEY)
                .contentType(MediaType.APPLICATION_JSON).bodyValue(Map.of("name", name)).exchange(),
                HttpStatus.CONFLICT, "tenant_exists");
        expectProblem(http.post().uri("/v1/tenants").header("Authorization", "Bearer " + ROOT_KEY)
                .contentType(MediaType.APPLICATION_JSON).bodyValue(Map.of("name", "Bad Name!")).exchange(),
                HttpStatus.BAD_REQUEST, "invalid_name");
    }

    @Test
    void aTenantNameMayNotHaveTheShapeOfAnId() {
        Map<String, Object> refused = http.post().uri("/v1/tenants").header("Authorization", "Bearer " + ROOT_KEY)
                .contentType(MediaType.APPLICATION_JSON).bodyValue(Map.of("name", "0123456789abcdef01234567")).exchange()
                .expectStatus().isBadRequest()
                .expectBody(new ParameterizedTypeReference<Map<String, Object>>() { }).returnResult().getResponseBody();
        assertThat(refused).containsEntry("code", "invalid_name");
        assertThat((String) refused.get("detail")).contains("24 hexadecimal characters");
        // One character more or less, or an uppercase-free non-hex letter, is a name like any other.
        createTenant("0123456789abcdef0123456");
        createTenant("0123456789abcdef01234567g");
    }

    @Test
    void everyTenantRouteTakesTheTenantsNameAsWellAsItsId() {
        String name = unique("named");
        String id = createTenant(name);
        asRoot(http.get().uri("/v1/tenants/{t}", name)).exchange().expectStatus().isOk()
                .expectBody().jsonPath("$.id").isEqualTo(id);
        http.patch().uri("/v1/tenants/{t}", name).header("Authorization", "Bearer " + ROOT_KEY)
                .contentType(MediaType.APPLICATION_JSON).bodyValue(Map.of("quotaObjects", 5)).exchange()
                .expectStatus().isOk().expectBody().jsonPath("$.id").isEqualTo(id).jsonPath("$.quotaObjects").isEqualTo(5);
        // Keys: issued, listed and revoked under the name; the Location names the id.
        Map<String, Object> issued = http.post().uri("/v1/tenants/{t}/keys", name).header("Authorization", "Bearer " + ROOT_KEY)
                .contentType(MediaType.APPLICATION_JSON).bodyValue(Map.of("name", "by-name", "permissions", List.of("admin")))
                .exchange().expectStatus().isCreated()
                .expectHeader().value("Location", location -> assertThat(location).startsWith("/v1/tenants/" + id + "/keys/"))
                .expectBody(new ParameterizedTypeReference<Map<String, Object>>() { }).returnResult().getResponseBody();
        assertThat(issued).containsEntry("tenantId", id);
        String key = (String) issued.get("secret");
        http.get().uri("/v1/tenants/{t}/keys", name).header("X-Api-Key", key).exchange().expectStatus().isOk()
                .expectBody().jsonPath("$.keys[0].id").isEqualTo(issued.get("id"));
        asRoot(http.get().uri("/v1/tenants/{t}/issuers", name)).exchange().expectStatus().isOk()
                .expectBody().jsonPath("$.issuers").isEmpty();
        // Usage, audit and users take ?tenant=<name>; a user's tenantId may be the name.
        asRoot(http.get().uri("/v1/usage?tenant={t}", name)).exchange().expectStatus().isOk()
                .expectBody().jsonPath("$.tenant.quotaObjects").isEqualTo(5);
        asRoot(http.get().uri("/v1/audit?tenant={t}&type=tenant_created", name)).exchange().expectStatus().isOk()
                .expectBody().jsonPath("$.events[0].tenantId").isEqualTo(id);
        String username = unique("user");
        http.post().uri("/v1/users").header("Authorization", "Bearer " + ROOT_KEY).contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Map.of("username", username, "password", USER_PASSWORD, "role", "member", "tenantId", name))
                .exchange().expectStatus().isCreated().expectBody().jsonPath("$.tenantId").isEqualTo(id);
        asRoot(http.get().uri("/v1/users?tenant={t}", name)).exchange().expectStatus().isOk()
                .expectBody().jsonPath("$.users[0].username").isEqualTo(username);
        http.delete().uri("/v1/tenants/{t}/keys/{k}", name, issued.get("id")).header("Authorization", "Bearer " + ROOT_KEY)
                .exchange().expectStatus().isNoContent();

        // Another tenant's key learns nothing: a name it may not see answers as an unknown one.
        String stranger = newTenantAdmin();
        Map<String, Object> hidden = http.get().uri("/v1/tenants/{t}", name).header("X-Api-Key", stranger).exchange()
                .expectStatus().isNotFound()
                .expectBody(new ParameterizedTypeReference<Map<String, Object>>() { }).returnResult().getResponseBody();
        Map<String, Object> unknown = http.get().uri("/v1/tenants/{t}", unique("nobody")).header("X-Api-Key", stranger)
                .exchange().expectStatus().isNotFound()
                .expectBody(new ParameterizedTypeReference<Map<String, Object>>() { }).returnResult().getResponseBody();
        assertThat(hidden.get("code")).isEqualTo(unknown.get("code")).isEqualTo("tenant_not_found");
        assertThat(hidden.get("detail")).isEqualTo(unknown.get("detail"));
        expectProblem(asRoot(http.get().uri("/v1/tenants/{t}", unique("nobody"))).exchange(), HttpStatus.NOT_FOUND,
                "tenant_not_found");

        asRoot(http.delete().uri("/v1/tenants/{t}", name)).exchange().expectStatus().isNoContent();
        expectProblem(asRoot(http.get().uri("/v1/tenants/{t}", id)).exchange(), HttpStatus.NOT_FOUND, "tenant_not_found");
    }

    @Test
    void malformedAndUnknownJsonIsA400() {
        expectProblem(http.post().uri("/v1/tenants").header("Authorization", "Bearer " + ROOT_KEY)
                .contentType(MediaType.APPLICATION_JSON).bodyValue("{\"name\": ").exchange(),
                HttpStatus.BAD_REQUEST, "invalid_json");
        expectProblem(http.post().uri("/v1/tenants").header("Authorization", "Bearer " + ROOT_KEY)
                .contentType(MediaType.APPLICATION_JSON).bodyValue("{\"name\":\"x\",\"extra\":1}").exchange(),
                HttpStatus.BAD_REQUEST, "invalid_json");
        expectProblem(http.post().uri("/v1/tenants").header("Authorization", "Bearer " + ROOT_KEY)
                .contentType(MediaType.APPLICATION_JSON).exchange(),
                HttpStatus.BAD_REQUEST, "invalid_json");
    }

    @Test
    void missingOrWrongCredentialsAre401() {
        expectProblem(http.get().uri("/v1/tenants").exchange(), HttpStatus.UNAUTHORIZED, "unauthenticated");
        http.get().uri("/v1/tenants").exchange().expectHeader().exists("WWW-Authenticate").expectBody();
        expectProblem(http.get().uri("/v1/tenants").header("Authorization", "Bearer nope").exchange(),
                HttpStatus.UNAUTHORIZED, "unauthenticated");
        expectProblem(http.get().uri("/v1/buckets").header("X-Api-Key", "grk_0123456789abcdef01234567_forged").exchange(),
                HttpStatus.UNAUTHORIZED, "unauthenticated");
    }

    @Test
    void tenantKeysCannotManageTenantsAndRootCannotTouchData() {
        String admin = newTenantAdmin();
        expectProblem(http.get().uri("/v1/tenants").header("X-Api-Key", admin).exchange(), HttpStatus.FORBIDDEN, "forbidden");
        expectProblem(asRoot(http.get().uri("/v1/buckets")).exchange(), HttpStatus.FORBIDDEN, "forbidden");
    }

    @Test
    void keysAreIssuedOnceListedWithoutSecretsAndRevokedAtOnce() {
        String tenantId = createTenant(unique("keys"));
        String secret = createKey(tenantId, List.of("read", "list"), List.of("photos"));
        assertThat(secret).startsWith("grk_");
        List<Map<String, Object>> keys = asRoot(http.get().uri("/v1/tenants/{id}/keys", tenantId)).exchange()
                .expectStatus().isOk()
                .expectBody(new ParameterizedTypeReference<Map<String, List<Map<String, Object>>>>() { })
                .returnResult().getResponseBody().get("keys");
        assertThat(keys).hasSize(1);
        assertThat(keys.get(0)).doesNotContainKeys("secret", "secretDigest")
                .containsEntry("permissions", List.of("read", "list")).containsEntry("buckets", List.of("photos"));

        http.get().uri("/v1/buckets").header("X-Api-Key", secret).exchange().expectStatus().isOk().expectBody();
        asRoot(http.delete().uri("/v1/tenants/{t}/keys/{k}", tenantId, keys.get(0).get("id"))).exchange()
                .expectStatus().isNoContent();
        expectProblem(http.get().uri("/v1/buckets").header("X-Api-Key", secret).exchange(),
                HttpStatus.UNAUTHORIZED, "unauthenticated");
        expectProblem(asRoot(http.delete().uri("/v1/tenants/{t}/keys/{k}", tenantId, keys.get(0).get("id"))).exchange(),
                HttpStatus.NOT_FOUND, "key_not_found");
    }

    @Test
    void anotherSecretForAKeyIdIsRefusedAfterTheRightOneWasAccepted() {
        // The node remembers the last secret it verified for a key; it must not accept any other.
        String tenantId = createTenant(unique("secrets"));
        String secret = createKey(tenantId, List.of("read", "list"), null);
        http.get().uri("/v1/buckets").header("X-Api-Key", secret).exchange().expectStatus().isOk().expectBody();
        char last = secret.charAt(secret.length() - 1);
        String forged = secret.substring(0, secret.length() - 1) + (last == 'A' ? 'B' : 'A');
        expectProblem(http.get().uri("/v1/buckets").header("X-Api-Key", forged).exchange(),
                HttpStatus.UNAUTHORIZED, "unauthenticated");
        expectProblem(http.get().uri("/v1/buckets").header("X-Api-Key", secret.substring(0, secret.length() - 1)).exchange(),
                HttpStatus.UNAUTHORIZED, "unauthenticated");
        http.get().uri("/v1/buckets").header("X-Api-Key", secret).exchange().expectStatus().isOk().expectBody();
    }

    @Test
    void adminKeyManagesOwnTenantKeysOnly() {
        String tenantA = createTenant(unique("a"));
        String adminA = createKey(tenantA, List.of("admin"), null);
        String tenantB = createTenant(unique("b"));

        http.post().uri("/v1/tenants/{id}/keys", tenantA).header("X-Api-Key", adminA)
                .contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Map.of("name", "writer", "permissions", List.of("write")))
                .exchange().expectStatus().isCreated().expectBody().jsonPath("$.secret").exists();
        expectProblem(http.get().uri("/v1/tenants/{id}/keys", tenantB).header("X-Api-Key", adminA).exchange(),
                HttpStatus.NOT_FOUND, "tenant_not_found");

        // An admin key confined to some buckets cannot mint keys (it could drop its own scope).
        String scopedAdmin = createKey(tenantA, List.of("admin"), List.of("only-this"));
        expectProblem(http.post().uri("/v1/tenants/{id}/keys", tenantA).header("X-Api-Key", scopedAdmin)
                .contentType(MediaType.APPLICATION_JSON).bodyValue(Map.of("name", "escape", "permissions", List.of("admin")))
                .exchange(), HttpStatus.FORBIDDEN, "forbidden");
        expectProblem(http.get().uri("/v1/tenants/{id}/keys", tenantA).header("X-Api-Key", scopedAdmin).exchange(),
                HttpStatus.FORBIDDEN, "forbidden");

        String reader = createKey(tenantA, List.of("read"), null);
        expectProblem(http.get().uri("/v1/tenants/{id}/keys", tenantA).header("X-Api-Key", reader).exchange(),
                HttpStatus.FORBIDDEN, "forbidden");
    }

    @Test
    void invalidKeySpecsAre400() {
        String tenantId = createTenant(unique("spec"));
        expectProblem(asRoot(http.post().uri("/v1/tenants/{id}/keys", tenantId).contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Map.of("name", "k", "permissions", List.of("fly")))).exchange(), HttpStatus.BAD_REQUEST, "invalid_request");
        expectProblem(asRoot(http.post().uri("/v1/tenants/{id}/keys", tenantId).contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Map.of("name", "k", "permissions", List.of()))).exchange(), HttpStatus.BAD_REQUEST, "invalid_request");
        expectProblem(asRoot(http.post().uri("/v1/tenants/{id}/keys", tenantId).contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Map.of("name", "k", "permissions", List.of("read"), "expiresAt", "2001-01-01T00:00:00Z"))).exchange(),
                HttpStatus.BAD_REQUEST, "invalid_request");
        expectProblem(asRoot(http.post().uri("/v1/tenants/{id}/keys", "0123456789abcdef01234567").contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Map.of("name", "k", "permissions", List.of("read")))).exchange(), HttpStatus.NOT_FOUND, "tenant_not_found");
    }

    @Test
    void expiredKeysStopWorking() throws InterruptedException {
        String tenantId = createTenant(unique("exp"));
        Map<String, Object> body = asRoot(http.post().uri("/v1/tenants/{id}/keys", tenantId).contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Map.of("name", "short", "permissions", List.of("list"),
                        "expiresAt", Instant.now().plusMillis(1500).toString()))).exchange()
                .expectStatus().isCreated()
                .expectBody(new ParameterizedTypeReference<Map<String, Object>>() { }).returnResult().getResponseBody();
        String secret = (String) body.get("secret");
        http.get().uri("/v1/buckets").header("X-Api-Key", secret).exchange().expectStatus().isOk().expectBody();
        Thread.sleep(2000);
        expectProblem(http.get().uri("/v1/buckets").header("X-Api-Key", secret).exchange(),
                HttpStatus.UNAUTHORIZED, "unauthenticated");
    }

    @Test
    void tenantWithBucketsCannotBeDeleted() {
        String tenantId = createTenant(unique("busy"));
        String admin = createKey(tenantId, List.of("admin"), null);
        createBucket(admin, unique("b"), Map.of());
        expectProblem(asRoot(http.delete().uri("/v1/tenants/{id}", tenantId)).exchange(), HttpStatus.CONFLICT, "tenant_not_empty");
    }
}
