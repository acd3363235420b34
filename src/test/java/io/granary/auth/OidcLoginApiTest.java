package io.granary.auth;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.util.JSONObjectUtils;
import com.nimbusds.jwt.SignedJWT;
import io.granary.api.ApiTestSupport;
import java.io.IOException;
import java.net.URI;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import no.nav.security.mock.oauth2.MockOAuth2Server;
import no.nav.security.mock.oauth2.token.DefaultOAuth2TokenCallback;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The dashboard's OIDC login, end to end against mock-oauth2-server: {@code /v1/auth/providers}
 * lists the configured provider with the endpoints its discovery names; a browser-like client
 * runs the authorization-code flow with PKCE (S256) as a public client; the access token it gets
 * works on {@code /v1} like any trusted issuer's token, and the provider refuses a wrong verifier.
 */
class OidcLoginApiTest extends ApiTestSupport {

    private static final MockOAuth2Server OIDC = new MockOAuth2Server();
    private static final String CORP = "corp";
    private static final String CLIENT = "granary-dashboard";
    private static final Path DATA = tempDir();

    static {
        OIDC.start();
    }

    @DynamicPropertySource
    static void oidc(DynamicPropertyRegistry registry) {
        registry.add("granary.test.data-dir", DATA::toString);
        registry.add("granary.auth.issuers[0].issuer-uri", () -> OIDC.issuerUrl(CORP).toString());
        registry.add("granary.ui.oidc.issuer", () -> OIDC.issuerUrl(CORP).toString());
        registry.add("granary.ui.oidc.client-id", () -> CLIENT);
        registry.add("granary.ui.oidc.name", () -> "Corp SSO");
    }

    @AfterAll
    static void stop() {
        OIDC.shutdown();
    }

    private final HttpClient browser = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();

    @Test
    void theProvidersDocumentListsTheConfiguredProviderWithItsDiscoveredEndpoints() {
        http.get().uri("/v1/auth/providers").exchange().expectStatus().isOk()
                .expectHeader().valueEquals("Cache-Control", "no-cache")
                .expectBody()
                .jsonPath("$.password").isEqualTo(true)
                .jsonPath("$.oidc.length()").isEqualTo(1)
                .jsonPath("$.oidc[0].name").isEqualTo("Corp SSO")
                .jsonPath("$.oidc[0].issuer").isEqualTo(OIDC.issuerUrl(CORP).toString())
                .jsonPath("$.oidc[0].authorizationEndpoint").isEqualTo(OIDC.authorizationEndpointUrl(CORP).toString())
                .jsonPath("$.oidc[0].tokenEndpoint").isEqualTo(OIDC.tokenEndpointUrl(CORP).toString())
                .jsonPath("$.oidc[0].clientId").isEqualTo(CLIENT)
                .jsonPath("$.oidc[0].scopes").isEqualTo("openid profile email");
        // Public, read-only.
        http.post().uri("/v1/auth/providers").exchange().expectStatus().isEqualTo(HttpStatus.METHOD_NOT_ALLOWED)
                .expectHeader().valueEquals("Allow", "GET").expectBody();
    }

    @Test
    void theAuthorizationCodeFlowWithPkceGivesAnAccessTokenThatWorksOnTheApi() throws Exception {
        String tenant = unique("t");
        createTenant(tenant);
        String origin = "http://127.0.0.1:" + port;
        String redirect = origin + "/ui/callback";
        // What the provider puts in its tokens for this login (at a real one: its claim mappers).
        OIDC.enqueueCallback(new DefaultOAuth2TokenCallback(CORP, "alice", "JWT", List.of("granary"),
                Map.of("tenant", tenant, "roles", List.of("granary:tenant-admin")), 300));
        String verifier = verifier();
        String code = authorize(redirect, challenge(verifier));

        HttpResponse<String> answer = token(code, redirect, verifier, origin);
        assertThat(answer.statusCode()).isEqualTo(200);
        // The browser calls the token endpoint cross-origin: the mock allows any origin.
        assertThat(answer.headers().firstValue("Access-Control-Allow-Origin")).hasValue(origin);
        Map<String, Object> tokens = JSONObjectUtils.parse(answer.body());
        String access = (String) tokens.get("access_token");
        String id = (String) tokens.get("id_token");
        assertThat(SignedJWT.parse(access).getJWTClaimsSet().getAudience()).containsExactly("granary");
        assertThat(SignedJWT.parse(id).getJWTClaimsSet().getAudience()).containsExactly(CLIENT);

        // The access token is a bearer JWT like any other trusted issuer's.
        http.post().uri("/v1/buckets").header("Authorization", "Bearer " + access).contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Map.of("name", "from-sso")).exchange().expectStatus().isCreated().expectBody();
        http.get().uri("/v1/buckets").header("Authorization", "Bearer " + access).exchange()
                .expectStatus().isOk().expectBody().jsonPath("$.buckets[0].name").isEqualTo("from-sso");
        // Its sessions are the provider's: Granary lists none, and says so.
        http.get().uri("/v1/auth/sessions").header("Authorization", "Bearer " + access).exchange()
                .expectStatus().isOk().expectBody()
                .jsonPath("$.managedBy").isEqualTo("identity-provider").jsonPath("$.sessions.length()").isEqualTo(0);
        // The ID token is for the dashboard (its audience is the client id), not for the API.
        expectProblem(http.get().uri("/v1/buckets").header("Authorization", "Bearer " + id).exchange(),
                HttpStatus.UNAUTHORIZED, "invalid_token");
    }

    @Test
    void theProviderRefusesAWrongVerifier() throws Exception {
        String redirect = "http://127.0.0.1:" + port + "/ui/callback";
        String code = authorize(redirect, challenge(verifier()));
        HttpResponse<String> answer = token(code, redirect, verifier(), null);
        assertThat(answer.statusCode()).isEqualTo(400);
        Map<String, Object> error = JSONObjectUtils.parse(answer.body());
        assertThat(error.get("error")).isEqualTo("invalid_grant");
        assertThat((String) error.get("error_description")).contains("code_verifier");
        assertThat(error).doesNotContainKey("access_token");
    }

    /** Sends the browser to the authorization endpoint; the provider (no login page here) redirects back with a code. */
    private String authorize(String redirect, String challenge) throws IOException, InterruptedException {
        Map<String, String> query = new LinkedHashMap<>();
        query.put("response_type", "code");
        query.put("client_id", CLIENT);
        query.put("redirect_uri", redirect);
        query.put("scope", "openid profile email");
        query.put("state", "s-" + verifier().substring(0, 8));
        query.put("nonce", "n-" + verifier().substring(0, 8));
        query.put("code_challenge", challenge);
        query.put("code_challenge_method", "S256");
        HttpResponse<String> answer = browser.send(HttpRequest.newBuilder(URI.create(OIDC.authorizationEndpointUrl(CORP) + "?" + form(query)))
                .GET().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(answer.statusCode()).isEqualTo(302);
        String location = answer.headers().firstValue("Location").orElseThrow();
        assertThat(location).startsWith(redirect + "?");
        Map<String, String> params = new LinkedHashMap<>();
        for (String pair : URI.create(location).getRawQuery().split("&")) {
            String[] kv = pair.split("=", 2);
            params.put(kv[0], URLDecoder.decode(kv[1], StandardCharsets.UTF_8));
        }
        assertThat(params.get("state")).isEqualTo(query.get("state"));
        return params.get("code");
    }

    /** The browser's token request: a public client, so the verifier is its only proof. */
    private HttpResponse<String> token(String code, String redirect, String verifier, String origin) throws IOException, InterruptedException {
        Map<String, String> form = new LinkedHashMap<>();
        form.put("grant_type", "authorization_code");
        form.put("code", code);
        form.put("redirect_uri", redirect);
        form.put("client_id", CLIENT);
        if (verifier != null) {
            form.put("code_verifier", verifier);
        }
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(OIDC.tokenEndpointUrl(CORP).toString()))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form(form)));
        if (origin != null) {
            request.header("Origin", origin);
        }
        return browser.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String form(Map<String, String> values) {
        return values.entrySet().stream().map(e -> e.getKey() + "=" + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
                .collect(Collectors.joining("&"));
    }

    private static String verifier() {
        byte[] bytes = new byte[32];
        new SecureRandom().nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    private static String challenge(String verifier) throws NoSuchAlgorithmException {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(
                MessageDigest.getInstance("SHA-256").digest(verifier.getBytes(StandardCharsets.US_ASCII)));
    }
}
