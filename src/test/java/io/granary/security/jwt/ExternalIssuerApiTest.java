package io.granary.security.jwt;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.granary.api.ApiTestSupport;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import no.nav.security.mock.oauth2.MockOAuth2Server;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;

/**
 * JWTs of a real external OIDC issuer (mock-oauth2-server on loopback), configured by issuer URI
 * only: accepted when genuine, refused with 401 for every classic forgery, and confined to the
 * registering tenant when a tenant trusts an issuer of its own.
 */
class ExternalIssuerApiTest extends ApiTestSupport {

    private static final MockOAuth2Server OIDC = new MockOAuth2Server();
    private static final String CORP = "corp";
    private static final Path DATA = tempDir();

    static {
        OIDC.start();
    }

    @DynamicPropertySource
    static void issuer(DynamicPropertyRegistry registry) {
        registry.add("granary.test.data-dir", DATA::toString);
        registry.add("granary.auth.issuers[0].issuer-uri", () -> OIDC.issuerUrl(CORP).toString());
        registry.add("granary.auth.allow-insecure-tenant-issuers", () -> "true");
    }

    @AfterAll
    static void stop() {
        OIDC.shutdown();
    }

    private String token(String issuerId, String audience, Map<String, Object> claims, long expirySeconds) {
        return OIDC.issueToken(issuerId, "alice", audience, claims, expirySeconds).serialize();
    }

    private String tenantToken(String tenantName, String role) {
        return token(CORP, "granary", Map.of("tenant", tenantName, "roles", List.of(role)), 300);
    }

    private WebTestClient.ResponseSpec listBuckets(String token) {
        return http.get().uri("/v1/buckets").header("Authorization", "Bearer " + token).exchange();
    }

    @Test
    void genuineTokensMapToTheirRoles() {
        String name = unique("t");
        createTenant(name);
        String admin = tenantToken(name, "granary:tenant-admin");
        http.post().uri("/v1/buckets").header("Authorization", "Bearer " + admin).contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Map.of("name", "shared")).exchange().expectStatus().isCreated().expectBody();
        // Scopes are not roles (a client may ask for optional scopes): only the roles claim counts.
        expectProblem(listBuckets(token(CORP, "granary", Map.of("tenant", name, "scope", "openid granary:tenant-admin"), 300)),
                HttpStatus.FORBIDDEN, "forbidden");
        String member = tenantToken(name, "granary:member");
        http.put().uri("/v1/buckets/shared/objects/n.txt").header("Authorization", "Bearer " + member)
                .contentType(MediaType.TEXT_PLAIN).bodyValue("note").exchange().expectStatus().isOk().expectBody();
        expectProblem(http.delete().uri("/v1/buckets/shared").header("Authorization", "Bearer " + member).exchange(),
                HttpStatus.FORBIDDEN, "forbidden");
        // Audit names the person.
        http.get().uri("/v1/audit?type=bucket_created").header("Authorization", "Bearer " + admin).exchange()
                .expectStatus().isOk().expectBody().jsonPath("$.events[0].actor").isEqualTo("jwt:alice@" + OIDC.issuerUrl(CORP));

        String system = token(CORP, "granary", Map.of("roles", List.of("granary:system-admin")), 300);
        http.get().uri("/v1/tenants").header("Authorization", "Bearer " + system).exchange().expectStatus().isOk().expectBody();
        http.get().uri("/v1/buckets").header("Authorization", "Bearer " + system).header("X-Granary-Tenant", name).exchange()
                .expectStatus().isOk().expectBody().jsonPath("$.buckets[0].name").isEqualTo("shared");
        // Without a Granary role, or for a tenant that does not exist: authenticated, but refused.
        expectProblem(listBuckets(token(CORP, "granary", Map.of("tenant", name), 300)), HttpStatus.FORBIDDEN, "forbidden");
        expectProblem(listBuckets(tenantToken(unique("ghost"), "granary:member")), HttpStatus.FORBIDDEN, "forbidden");
        // A tenant's member cannot borrow another tenant through the header.
        String other = unique("t");
        createTenant(other);
        expectProblem(http.get().uri("/v1/buckets").header("Authorization", "Bearer " + member).header("X-Granary-Tenant", other)
                .exchange(), HttpStatus.FORBIDDEN, "forbidden");
    }

    @Test
    void forgedAndMisdirectedTokensAreRefused() throws Exception {
        String name = unique("t");
        createTenant(name);
        String genuine = tenantToken(name, "granary:tenant-admin");
        listBuckets(genuine).expectStatus().isOk().expectBody();
        String[] parts = genuine.split("\\.");
        JWTClaimsSet claims = SignedJWT.parse(genuine).getJWTClaimsSet();

        // Another issuer on the same server, which nobody configured.
        expectProblem(listBuckets(token("elsewhere", "granary", Map.of("tenant", name, "roles", List.of("granary:tenant-admin")), 300)),
                HttpStatus.UNAUTHORIZED, "invalid_token");
        // Right issuer, wrong audience.
        expectProblem(listBuckets(token(CORP, "someone-else", Map.of("tenant", name, "roles", List.of("granary:tenant-admin")), 300)),
                HttpStatus.UNAUTHORIZED, "invalid_token");
        // Expired (beyond the clock skew): issued ten minutes ago, for five.
        long tenMinutesAgo = java.time.Instant.now().minusSeconds(600).getEpochSecond();
        String expired = token(CORP, "granary", Map.of("tenant", name, "roles", List.of("granary:tenant-admin"),
                "iat", tenMinutesAgo, "nbf", tenMinutesAgo), -300);
        assertThat(SignedJWT.parse(expired).getJWTClaimsSet().getIssueTime().toInstant().getEpochSecond()).isEqualTo(tenMinutesAgo);
        expectProblem(listBuckets(expired), HttpStatus.UNAUTHORIZED, "token_expired");
        // alg: none, with the genuine claims.
        String none = b64("{\"alg\":\"none\",\"typ\":\"JWT\"}") + "." + parts[1] + ".";
        expectProblem(listBuckets(none), HttpStatus.UNAUTHORIZED, "invalid_token");
        // HS256 keyed with the issuer's public key (the algorithm-confusion attack).
        RSAKey published = JWKSet.load(OIDC.jwksUrl(CORP).url()).getKeys().get(0).toRSAKey();
        SignedJWT confused = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.HS256).keyID(published.getKeyID())
                .type(JOSEObjectType.JWT).build(), claims);
        confused.sign(new MACSigner(published.toRSAPublicKey().getEncoded()));
        expectProblem(listBuckets(confused.serialize()), HttpStatus.UNAUTHORIZED, "invalid_token");
        // Signed by a key the issuer never published.
        RSAKey rogue = new RSAKeyGenerator(2048).keyID("rogue").generate();
        SignedJWT unknownKid = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID("rogue").type(JOSEObjectType.JWT).build(), claims);
        unknownKid.sign(new RSASSASigner(rogue));
        expectProblem(listBuckets(unknownKid.serialize()), HttpStatus.UNAUTHORIZED, "invalid_token");
        // ... or by a rogue key claiming the genuine key's id.
        SignedJWT stolenKid = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(published.getKeyID())
                .type(JOSEObjectType.JWT).build(), claims);
        stolenKid.sign(new RSASSASigner(rogue));
        expectProblem(listBuckets(stolenKid.serialize()), HttpStatus.UNAUTHORIZED, "invalid_token");
        // Tampered payload: promoted to system admin, genuine signature.
        String promoted = new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8)
                .replace("granary:tenant-admin", "granary:system-admin");
        expectProblem(http.get().uri("/v1/tenants").header("Authorization", "Bearer " + parts[0] + "." + b64(promoted) + "." + parts[2])
                .exchange(), HttpStatus.UNAUTHORIZED, "invalid_token");
        // Truncated, garbage, and oversized tokens: a clear 401, never a 500.
        expectProblem(listBuckets(parts[0] + "." + parts[1]), HttpStatus.UNAUTHORIZED, "unauthenticated");
        expectProblem(listBuckets("eyJ.garbage.here"), HttpStatus.UNAUTHORIZED, "invalid_token");
        // A header beyond the server's limit (8 KB) is refused before Granary sees it: 431.
        http.get().uri("/v1/buckets").header("Authorization", "Bearer eyJ" + "A".repeat(20_000) + ".x.y").exchange()
                .expectStatus().isEqualTo(HttpStatus.REQUEST_HEADER_FIELDS_TOO_LARGE).expectBody();
    }

    @Test
    void aTenantsOwnIssuerIsConfinedToThatTenant() {
        String victim = unique("victim");
        createTenant(victim);
        String ownerName = unique("owner");
        String owner = createTenant(ownerName);
        String ownerKey = createKey(owner, List.of("admin"), null);
        createBucket(ownerKey, "inbox", Map.of());
        String issuer = OIDC.issuerUrl("owner-idp").toString();
        // Claims to be a system admin of the victim tenant: none of that counts.
        String token = token("owner-idp", "granary",
                Map.of("tenant", victim, "roles", List.of("granary:system-admin", "granary:tenant-admin")), 300);
        expectProblem(listBuckets(token), HttpStatus.UNAUTHORIZED, "invalid_token"); // not trusted yet

        String id = (String) http.post().uri("/v1/tenants/{t}/issuers", owner).header("X-Api-Key", ownerKey)
                .contentType(MediaType.APPLICATION_JSON).bodyValue(Map.of("issuer", issuer)).exchange()
                .expectStatus().isCreated().expectBody(Map.class).returnResult().getResponseBody().get("id");
        listBuckets(token).expectStatus().isOk().expectBody().jsonPath("$.buckets[0].name").isEqualTo("inbox");
        expectProblem(http.get().uri("/v1/tenants").header("Authorization", "Bearer " + token).exchange(),
                HttpStatus.FORBIDDEN, "forbidden");
        expectProblem(http.get().uri("/v1/buckets").header("Authorization", "Bearer " + token).header("X-Granary-Tenant", victim)
                .exchange(), HttpStatus.FORBIDDEN, "forbidden");

        // One issuer serves one tenant; global issuers are nobody's to claim; only HTTP(S) URLs.
        String otherTenant = createTenant(unique("other"));
        expectProblem(http.post().uri("/v1/tenants/{t}/issuers", otherTenant).header("X-Api-Key", createKey(otherTenant, List.of("admin"), null))
                .contentType(MediaType.APPLICATION_JSON).bodyValue(Map.of("issuer", issuer)).exchange(),
                HttpStatus.CONFLICT, "issuer_exists");
        expectProblem(http.post().uri("/v1/tenants/{t}/issuers", owner).header("X-Api-Key", ownerKey)
                .contentType(MediaType.APPLICATION_JSON).bodyValue(Map.of("issuer", issuer)).exchange(),
                HttpStatus.CONFLICT, "issuer_exists");
        expectProblem(http.post().uri("/v1/tenants/{t}/issuers", owner).header("X-Api-Key", ownerKey)
                .contentType(MediaType.APPLICATION_JSON).bodyValue(Map.of("issuer", OIDC.issuerUrl(CORP).toString())).exchange(),
                HttpStatus.CONFLICT, "issuer_exists");
        expectProblem(http.post().uri("/v1/tenants/{t}/issuers", owner).header("X-Api-Key", ownerKey)
                .contentType(MediaType.APPLICATION_JSON).bodyValue(Map.of("issuer", "ftp://idp.example")).exchange(),
                HttpStatus.BAD_REQUEST, "invalid_request");

        http.delete().uri("/v1/tenants/{t}/issuers/{id}", owner, id).header("X-Api-Key", ownerKey).exchange()
                .expectStatus().isNoContent().expectBody();
        expectProblem(listBuckets(token), HttpStatus.UNAUTHORIZED, "invalid_token");

        // An issuer whose keys cannot be fetched: its tokens cannot be checked, which is the
        // issuer's outage (503), never a 500.
        String deadIssuer = OIDC.issuerUrl("dead-idp").toString();
        http.post().uri("/v1/tenants/{t}/issuers", owner).header("X-Api-Key", ownerKey)
                .contentType(MediaType.APPLICATION_JSON).bodyValue(Map.of("issuer", deadIssuer, "jwkSetUri", "http://127.0.0.1:1/jwks"))
                .exchange().expectStatus().isCreated().expectBody();
        expectProblem(listBuckets(token("dead-idp", "granary", Map.of("roles", List.of("granary:member")), 300)),
                HttpStatus.SERVICE_UNAVAILABLE, "issuer_unavailable");

        // Registered with its JWK-set URI (no discovery) and an audience of its own.
        http.post().uri("/v1/tenants/{t}/issuers", owner).header("X-Api-Key", ownerKey)
                .contentType(MediaType.APPLICATION_JSON).bodyValue(Map.of("issuer", issuer,
                        "jwkSetUri", OIDC.jwksUrl("owner-idp").toString(), "audience", "storage"))
                .exchange().expectStatus().isCreated().expectBody();
        expectProblem(listBuckets(token), HttpStatus.UNAUTHORIZED, "invalid_token"); // audience "granary" no longer fits
        listBuckets(token("owner-idp", "storage", Map.of("roles", List.of("granary:member")), 300))
                .expectStatus().isOk().expectBody().jsonPath("$.buckets[0].name").isEqualTo("inbox");
    }

    private static String b64(String json) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(json.getBytes(StandardCharsets.UTF_8));
    }
}
