package io.granary.auth;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jwt.SignedJWT;
import io.granary.api.ApiTestSupport;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.jwt.NimbusReactiveJwtDecoder;

/**
 * The embedded issuer end to end: the bootstrap admin, logins, refresh-token rotation with
 * reuse detection, logout, user management by admins, and tokens that stop working as soon as
 * their user changes. Its discovery document and JWKS are checked by a standard resource-server
 * decoder, as an outside service would use them.
 */
class EmbeddedIssuerApiTest extends ApiTestSupport {

    private static final ParameterizedTypeReference<Map<String, Object>> JSON = new ParameterizedTypeReference<>() { };

    @Test
    void theBootstrapAdminLogsInAndActsAsSystemAdmin() throws Exception {
        Map<String, Object> tokens = login("admin", ADMIN_PASSWORD);
        assertThat(tokens.get("expiresIn")).isEqualTo(900);
        assertThat(tokens.get("tokenType")).isEqualTo("Bearer");
        String access = (String) tokens.get("accessToken");
        SignedJWT jwt = SignedJWT.parse(access);
        assertThat(jwt.getHeader().getAlgorithm().getName()).isEqualTo("RS256");
        assertThat(jwt.getHeader().getKeyID()).isNotBlank();
        assertThat(jwt.getJWTClaimsSet().getExpirationTime().getTime() - jwt.getJWTClaimsSet().getIssueTime().getTime())
                .isEqualTo(900_000);

        // A system admin manages tenants, but touches a tenant's data only by naming it.
        String name = unique("t");
        http.post().uri("/v1/tenants").header("Authorization", "Bearer " + access).contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Map.of("name", name)).exchange().expectStatus().isCreated().expectBody();
        expectProblem(http.get().uri("/v1/buckets").header("Authorization", "Bearer " + access).exchange(),
                HttpStatus.FORBIDDEN, "forbidden");
        http.post().uri("/v1/buckets").header("Authorization", "Bearer " + access).header("X-Granary-Tenant", name)
                .contentType(MediaType.APPLICATION_JSON).bodyValue(Map.of("name", "reports"))
                .exchange().expectStatus().isCreated().expectBody();
        http.get().uri("/v1/buckets").header("Authorization", "Bearer " + access).header("X-Granary-Tenant", name)
                .exchange().expectStatus().isOk().expectBody().jsonPath("$.buckets[0].name").isEqualTo("reports");
        http.put().uri("/v1/buckets/reports/objects/q3.txt").header("Authorization", "Bearer " + access)
                .header("X-Granary-Tenant", name).contentType(MediaType.TEXT_PLAIN).bodyValue("figures")
                .exchange().expectStatus().isOk().expectBody();
        String url = (String) http.post().uri("/v1/buckets/reports/signed-urls").header("Authorization", "Bearer " + access)
                .header("X-Granary-Tenant", name).contentType(MediaType.APPLICATION_JSON).bodyValue(Map.of("key", "q3.txt"))
                .exchange().expectStatus().isOk().expectBody(JSON).returnResult().getResponseBody().get("url");
        http.get().uri(url.substring(url.indexOf("/v1/"))).exchange().expectStatus().isOk()
                .expectBody(String.class).isEqualTo("figures");
        expectProblem(http.get().uri("/v1/buckets").header("Authorization", "Bearer " + access)
                .header("X-Granary-Tenant", unique("nobody")).exchange(), HttpStatus.NOT_FOUND, "tenant_not_found");
        // API keys belong to one tenant: the header is refused rather than ignored.
        expectProblem(asRoot(http.get().uri("/v1/tenants").header("X-Granary-Tenant", name)).exchange(),
                HttpStatus.BAD_REQUEST, "invalid_request");
    }

    @Test
    void discoveryAndJwksValidateTokensForAStandardResourceServer() {
        String access = accessToken("admin", ADMIN_PASSWORD);
        Map<String, Object> discovery = http.get().uri("/.well-known/openid-configuration").exchange()
                .expectStatus().isOk().expectBody(JSON).returnResult().getResponseBody();
        String issuer = (String) discovery.get("issuer");
        assertThat(issuer).isEqualTo("http://localhost:" + port);
        assertThat(discovery.get("jwks_uri")).isEqualTo(issuer + "/.well-known/jwks.json");
        http.get().uri("/.well-known/jwks.json").exchange().expectStatus().isOk()
                .expectBody().jsonPath("$.keys[0].kty").isEqualTo("RSA")
                .jsonPath("$.keys[0].d").doesNotExist(); // never the private part

        // Spring Security's own decoder, configured by issuer URI only, as any service would be.
        Jwt jwt = NimbusReactiveJwtDecoder.withIssuerLocation(issuer).build().decode(access).block();
        assertThat(jwt.getClaimAsStringList("roles")).containsExactly("granary:system-admin");
        assertThat(jwt.getAudience()).containsExactly("granary");
    }

    @Test
    void tenantUsersActWithinTheirRole() {
        String tenantId = createTenant(unique("t"));
        createUser(tenantId, unique("boss"), "tenant-admin");
        String bossName = unique("boss");
        createUser(tenantId, bossName, "tenant-admin");
        String boss = accessToken(bossName, USER_PASSWORD);

        // A tenant admin manages the tenant: buckets, keys, users (but never system admins).
        http.post().uri("/v1/buckets").header("Authorization", "Bearer " + boss).contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Map.of("name", "docs")).exchange().expectStatus().isCreated().expectBody();
        http.post().uri("/v1/tenants/{t}/keys", tenantId).header("Authorization", "Bearer " + boss)
                .contentType(MediaType.APPLICATION_JSON).bodyValue(Map.of("name", "ci", "permissions", List.of("read")))
                .exchange().expectStatus().isCreated().expectBody();
        String memberName = unique("member");
        http.post().uri("/v1/users").header("Authorization", "Bearer " + boss).contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Map.of("username", memberName, "password", USER_PASSWORD, "role", "member"))
                .exchange().expectStatus().isCreated().expectBody().jsonPath("$.tenantId").isEqualTo(tenantId)
                .jsonPath("$.passwordHash").doesNotExist();
        expectProblem(http.post().uri("/v1/users").header("Authorization", "Bearer " + boss).contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Map.of("username", unique("root"), "password", USER_PASSWORD, "role", "system-admin"))
                .exchange(), HttpStatus.FORBIDDEN, "forbidden");
        expectProblem(http.post().uri("/v1/tenants").header("Authorization", "Bearer " + boss)
                .contentType(MediaType.APPLICATION_JSON).bodyValue(Map.of("name", unique("t"))).exchange(),
                HttpStatus.FORBIDDEN, "forbidden");

        // A member reads and writes objects, and manages nothing.
        String member = accessToken(memberName, USER_PASSWORD);
        http.put().uri("/v1/buckets/docs/objects/a.txt").header("Authorization", "Bearer " + member)
                .contentType(MediaType.TEXT_PLAIN).bodyValue("hello").exchange().expectStatus().isOk().expectBody();
        http.get().uri("/v1/buckets/docs/objects/a.txt").header("Authorization", "Bearer " + member).exchange()
                .expectStatus().isOk().expectBody(String.class).isEqualTo("hello");
        expectProblem(http.get().uri("/v1/tenants/{t}/keys", tenantId).header("Authorization", "Bearer " + member).exchange(),
                HttpStatus.FORBIDDEN, "forbidden");
        expectProblem(http.patch().uri("/v1/buckets/docs").header("Authorization", "Bearer " + member)
                .contentType(MediaType.APPLICATION_JSON).bodyValue(Map.of("visibility", "public")).exchange(),
                HttpStatus.FORBIDDEN, "forbidden");
        expectProblem(http.get().uri("/v1/users").header("Authorization", "Bearer " + member).exchange(),
                HttpStatus.FORBIDDEN, "forbidden");

        // A signed URL issued by a user dies with the user.
        String url = (String) http.post().uri("/v1/buckets/docs/signed-urls").header("Authorization", "Bearer " + member)
                .contentType(MediaType.APPLICATION_JSON).bodyValue(Map.of("key", "a.txt")).exchange()
                .expectStatus().isOk().expectBody(JSON).returnResult().getResponseBody().get("url");
        String path = url.substring(url.indexOf("/v1/"));
        http.get().uri(path).exchange().expectStatus().isOk().expectBody(String.class).isEqualTo("hello");
        String memberId = (String) http.get().uri("/v1/users").header("Authorization", "Bearer " + boss).exchange()
                .expectBody(new ParameterizedTypeReference<Map<String, List<Map<String, Object>>>>() { })
                .returnResult().getResponseBody().get("users").stream()
                .filter(u -> memberName.equals(u.get("username"))).findFirst().orElseThrow().get("id");
        http.patch().uri("/v1/users/{id}", memberId).header("Authorization", "Bearer " + boss)
                .contentType(MediaType.APPLICATION_JSON).bodyValue(Map.of("disabled", true)).exchange().expectStatus().isOk().expectBody();
        expectProblem(http.get().uri(path).exchange(), HttpStatus.FORBIDDEN, "signed_url_invalid");
        // ... and so does its access token, at once, and its password.
        expectProblem(http.get().uri("/v1/buckets").header("Authorization", "Bearer " + member).exchange(),
                HttpStatus.UNAUTHORIZED, "invalid_token");
        expectProblem(http.post().uri("/v1/auth/login").contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Map.of("username", memberName, "password", USER_PASSWORD)).exchange(),
                HttpStatus.UNAUTHORIZED, "invalid_credentials");
    }

    @Test
    void refreshTokensRotateAndAReusedOneEndsTheSession() {
        String tenantId = createTenant(unique("t"));
        String name = unique("u");
        createUser(tenantId, name, "member");
        Map<String, Object> first = login(name, USER_PASSWORD);
        Map<String, Object> second = refresh((String) first.get("refreshToken"));
        assertThat(second.get("refreshToken")).isNotEqualTo(first.get("refreshToken"));
        http.get().uri("/v1/buckets").header("Authorization", "Bearer " + second.get("accessToken")).exchange()
                .expectStatus().isOk().expectBody();
        Map<String, Object> third = refresh((String) second.get("refreshToken"));

        // The first token again: somebody holds a copy. Its whole family is revoked.
        expectProblem(refreshCall((String) first.get("refreshToken")), HttpStatus.UNAUTHORIZED, "invalid_token");
        expectProblem(refreshCall((String) third.get("refreshToken")), HttpStatus.UNAUTHORIZED, "invalid_token");
        asRoot(http.get().uri("/v1/audit?type=refresh_token_reused&tenant=" + tenantId)).exchange().expectStatus().isOk()
                .expectBody().jsonPath("$.events[?(@.actor =~ /user:.*/)]").isNotEmpty();

        // Logout ends a session too.
        Map<String, Object> other = login(name, USER_PASSWORD);
        http.post().uri("/v1/auth/logout").contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Map.of("refreshToken", other.get("refreshToken"))).exchange().expectStatus().isNoContent().expectBody();
        expectProblem(refreshCall((String) other.get("refreshToken")), HttpStatus.UNAUTHORIZED, "invalid_token");
        expectProblem(refreshCall("grf_forged"), HttpStatus.UNAUTHORIZED, "invalid_token");
    }

    @Test
    void loginsAreAuditedAndFailuresAreThrottled() {
        String tenantId = createTenant(unique("t"));
        String name = unique("u");
        createUser(tenantId, name, "member");
        expectProblem(http.post().uri("/v1/auth/login").contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Map.of("username", name, "password", "wrong password!")).exchange(),
                HttpStatus.UNAUTHORIZED, "invalid_credentials");
        expectProblem(http.post().uri("/v1/auth/login").contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Map.of("username", unique("ghost"), "password", "whatever-it-is")).exchange(),
                HttpStatus.UNAUTHORIZED, "invalid_credentials");
        login(name, USER_PASSWORD);
        asRoot(http.get().uri("/v1/audit?type=login_failed")).exchange().expectStatus().isOk()
                .expectBody().jsonPath("$.events[?(@.target == 'user:" + name + "')]").isNotEmpty();
        asRoot(http.get().uri("/v1/audit?type=login&tenant=" + tenantId)).exchange().expectStatus().isOk()
                .expectBody().jsonPath("$.events.length()").isEqualTo(1);

        String victim = unique("v");
        createUser(tenantId, victim, "member");
        for (int i = 0; i < 10; i++) {
            expectProblem(http.post().uri("/v1/auth/login").contentType(MediaType.APPLICATION_JSON)
                    .bodyValue(Map.of("username", victim, "password", "guess number " + i)).exchange(),
                    HttpStatus.UNAUTHORIZED, "invalid_credentials");
        }
        // Even the right password is refused now: the guesser cannot tell.
        http.post().uri("/v1/auth/login").contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Map.of("username", victim, "password", USER_PASSWORD)).exchange()
                .expectStatus().isEqualTo(HttpStatus.TOO_MANY_REQUESTS).expectHeader().exists("Retry-After")
                .expectBody().jsonPath("$.code").isEqualTo("rate_limited");
    }

    @Test
    void changingAPasswordEndsOldSessions() {
        String tenantId = createTenant(unique("t"));
        String name = unique("u");
        String id = createUser(tenantId, name, "member");
        Map<String, Object> session = login(name, USER_PASSWORD);
        String access = (String) session.get("accessToken");
        expectProblem(http.patch().uri("/v1/users/{id}", id).header("Authorization", "Bearer " + access)
                .contentType(MediaType.APPLICATION_JSON).bodyValue(Map.of("password", "short")).exchange(),
                HttpStatus.BAD_REQUEST, "invalid_request");
        // A user may change their own password, but not their role.
        expectProblem(http.patch().uri("/v1/users/{id}", id).header("Authorization", "Bearer " + access)
                .contentType(MediaType.APPLICATION_JSON).bodyValue(Map.of("role", "tenant-admin")).exchange(),
                HttpStatus.FORBIDDEN, "forbidden");
        // A stolen access token alone cannot take the account over: the current password is needed.
        expectProblem(http.patch().uri("/v1/users/{id}", id).header("Authorization", "Bearer " + access)
                .contentType(MediaType.APPLICATION_JSON).bodyValue(Map.of("password", "a-brand-new-password")).exchange(),
                HttpStatus.UNAUTHORIZED, "invalid_credentials");
        expectProblem(http.patch().uri("/v1/users/{id}", id).header("Authorization", "Bearer " + access)
                .contentType(MediaType.APPLICATION_JSON).bodyValue(Map.of("password", "a-brand-new-password",
                        "currentPassword", "not-the-password")).exchange(),
                HttpStatus.UNAUTHORIZED, "invalid_credentials");
        http.patch().uri("/v1/users/{id}", id).header("Authorization", "Bearer " + access)
                .contentType(MediaType.APPLICATION_JSON).bodyValue(Map.of("password", "a-brand-new-password",
                        "currentPassword", USER_PASSWORD)).exchange()
                .expectStatus().isOk().expectBody();
        http.get().uri("/v1/buckets").header("Authorization", "Bearer " + access).exchange()
                .expectStatus().isUnauthorized()
                .expectHeader().valueEquals("WWW-Authenticate", "Bearer realm=\"granary\", error=\"invalid_token\"")
                .expectBody().jsonPath("$.code").isEqualTo("invalid_token");
        expectProblem(refreshCall((String) session.get("refreshToken")), HttpStatus.UNAUTHORIZED, "invalid_token");
        expectProblem(http.post().uri("/v1/auth/login").contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Map.of("username", name, "password", USER_PASSWORD)).exchange(),
                HttpStatus.UNAUTHORIZED, "invalid_credentials");
        // Deleting the user ends the new session as well.
        String fresh = accessToken(name, "a-brand-new-password");
        asRoot(http.delete().uri("/v1/users/{id}", id)).exchange().expectStatus().isNoContent().expectBody();
        expectProblem(http.get().uri("/v1/buckets").header("Authorization", "Bearer " + fresh).exchange(),
                HttpStatus.UNAUTHORIZED, "invalid_token");
    }

    @Test
    void forgedEmbeddedTokensAreRefused() throws Exception {
        String tenantId = createTenant(unique("t"));
        String name = unique("u");
        createUser(tenantId, name, "member");
        String access = accessToken(name, USER_PASSWORD);
        String[] parts = access.split("\\.");
        String payload = new String(Base64.getUrlDecoder().decode(parts[1]));
        String promoted = payload.replace("\"granary:member\"", "\"granary:system-admin\"");
        assertThat(promoted).isNotEqualTo(payload);
        String tampered = parts[0] + "." + Base64.getUrlEncoder().withoutPadding().encodeToString(promoted.getBytes())
                + "." + parts[2];
        expectProblem(http.get().uri("/v1/tenants").header("Authorization", "Bearer " + tampered).exchange(),
                HttpStatus.UNAUTHORIZED, "invalid_token");
        expectProblem(http.get().uri("/v1/buckets").header("Authorization", "Bearer " + parts[0] + "." + parts[1] + ".")
                .exchange(), HttpStatus.UNAUTHORIZED, "invalid_token");
    }

    private Map<String, Object> refresh(String refreshToken) {
        return refreshCall(refreshToken).expectStatus().isOk().expectBody(JSON).returnResult().getResponseBody();
    }

    private org.springframework.test.web.reactive.server.WebTestClient.ResponseSpec refreshCall(String refreshToken) {
        return http.post().uri("/v1/auth/refresh").contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Map.of("refreshToken", refreshToken)).exchange();
    }
}
