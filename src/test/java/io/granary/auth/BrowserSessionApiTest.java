package io.granary.auth;

import static org.assertj.core.api.Assertions.assertThat;

import io.granary.api.ApiTestSupport;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.EntityExchangeResult;
import org.springframework.test.web.reactive.server.WebTestClient;

/**
 * Browser sessions of the dashboard: with {@code X-Granary-Session: cookie} the refresh token
 * travels only in the {@code granary_refresh} cookie (HttpOnly, SameSite=Strict, Path=/v1/auth),
 * rotates like a body token, is refused from other origins and without the header, and logout
 * ends the session and clears the cookie. Body tokens work as before.
 */
class BrowserSessionApiTest extends ApiTestSupport {

    private static final String SESSION = "X-Granary-Session";
    private static final String COOKIE = "granary_refresh";

    private String name;
    private String tenantId;

    @BeforeEach
    void member() {
        name = unique("u");
        tenantId = createTenant(unique("t"));
        createUser(tenantId, name, "member");
    }

    @Test
    void aCookieLoginSetsAStrictHttpOnlyCookieForTheAuthPathAndKeepsTheTokenOutOfTheBody() {
        EntityExchangeResult<byte[]> answer = http.post().uri("/v1/auth/login").header(SESSION, "cookie")
                .contentType(MediaType.APPLICATION_JSON).bodyValue(Map.of("username", name, "password", USER_PASSWORD))
                .exchange().expectStatus().isOk()
                .expectHeader().valueEquals(HttpHeaders.CACHE_CONTROL, "no-store")
                .expectBody()
                .jsonPath("$.accessToken").isNotEmpty()
                .jsonPath("$.expiresIn").isEqualTo(900)
                .jsonPath("$.tokenType").isEqualTo("Bearer")
                .jsonPath("$.refreshToken").doesNotExist()
                .returnResult();
        Map<String, String> cookie = setCookie(answer);
        assertThat(cookie.get(COOKIE)).startsWith("grf_");
        assertThat(cookie).containsEntry("path", "/v1/auth").containsEntry("samesite", "Strict")
                .containsEntry("max-age", Long.toString(30L * 24 * 3600)).containsKey("httponly")
                // Plain http here: a Secure cookie would never come back.
                .doesNotContainKey("secure");
        assertThat(new String(answer.getResponseBodyContent())).doesNotContain(cookie.get(COOKIE));
        http.get().uri("/v1/buckets").header("Authorization", "Bearer " + accessToken(answer)).exchange()
                .expectStatus().isOk().expectBody();

        // Logging in again from the same browser ends the session whose cookie it replaces.
        String replaced = cookie.get(COOKIE);
        String current = cookieLogin(replaced);
        expectProblem(refresh(replaced), HttpStatus.UNAUTHORIZED, "invalid_token");
        refresh(current).expectStatus().isOk().expectBody();
    }

    @Test
    void aCookieRefreshRotatesAndTheSpentCookieEndsTheSession() {
        String first = cookieLogin(null);
        EntityExchangeResult<byte[]> rotated = refresh(first).expectStatus().isOk()
                .expectBody().jsonPath("$.refreshToken").doesNotExist().jsonPath("$.accessToken").isNotEmpty().returnResult();
        String second = setCookie(rotated).get(COOKIE);
        assertThat(second).startsWith("grf_").isNotEqualTo(first);
        assertThat(setCookie(rotated)).containsEntry("path", "/v1/auth").containsKey("httponly");
        http.get().uri("/v1/buckets").header("Authorization", "Bearer " + accessToken(rotated)).exchange()
                .expectStatus().isOk().expectBody();
        // An empty JSON body is fine too.
        String third = setCookie(http.post().uri("/v1/auth/refresh").header(SESSION, "cookie").cookie(COOKIE, second)
                .contentType(MediaType.APPLICATION_JSON).bodyValue("{}").exchange()
                .expectStatus().isOk().expectBody().returnResult()).get(COOKIE);

        // The first cookie again: someone holds a copy. The whole session ends, as for body tokens,
        // and the browser is told to drop its cookie.
        EntityExchangeResult<byte[]> reused = refresh(first).expectStatus().isUnauthorized()
                .expectBody().jsonPath("$.code").isEqualTo("invalid_token").returnResult();
        assertThat(setCookie(reused)).containsEntry(COOKIE, "").containsEntry("max-age", "0");
        expectProblem(refresh(third), HttpStatus.UNAUTHORIZED, "invalid_token");
        asRoot(http.get().uri("/v1/audit?type=refresh_token_reused&tenant=" + tenantId)).exchange().expectStatus().isOk()
                .expectBody().jsonPath("$.events.length()").isEqualTo(1);
    }

    @Test
    void aStolenAccessTokenCannotBeRefreshedWithoutTheCookie() {
        EntityExchangeResult<byte[]> login = http.post().uri("/v1/auth/login").header(SESSION, "cookie")
                .contentType(MediaType.APPLICATION_JSON).bodyValue(Map.of("username", name, "password", USER_PASSWORD))
                .exchange().expectStatus().isOk().expectBody().returnResult();
        String access = accessToken(login);
        // The thief has the access token (the page's memory), not the HttpOnly cookie.
        EntityExchangeResult<byte[]> refused = http.post().uri("/v1/auth/refresh").header(SESSION, "cookie")
                .header("Authorization", "Bearer " + access).exchange()
                .expectStatus().isUnauthorized().expectBody().jsonPath("$.code").isEqualTo("invalid_token").returnResult();
        assertThat(refused.getResponseHeaders().get(HttpHeaders.SET_COOKIE)).isNull();
        expectProblem(http.post().uri("/v1/auth/refresh").contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Map.of("refreshToken", access)).exchange(), HttpStatus.UNAUTHORIZED, "invalid_token");
        // The cookie's owner still refreshes: the refusals were for want of the cookie.
        refresh(setCookie(login).get(COOKIE)).expectStatus().isOk().expectBody();
    }

    @Test
    void theCookieIsNeverReadWithoutTheSessionHeader() {
        String cookie = cookieLogin(null);
        // A cross-site form could send the cookie (were it not SameSite) but never the header.
        expectProblem(http.post().uri("/v1/auth/refresh").cookie(COOKIE, cookie).exchange(), HttpStatus.BAD_REQUEST, "invalid_json");
        expectProblem(http.post().uri("/v1/auth/refresh").cookie(COOKIE, cookie).contentType(MediaType.APPLICATION_JSON)
                .bodyValue("{}").exchange(), HttpStatus.UNAUTHORIZED, "invalid_token");
        http.post().uri("/v1/auth/logout").cookie(COOKIE, cookie).contentType(MediaType.APPLICATION_JSON).bodyValue("{}")
                .exchange().expectStatus().isNoContent().expectHeader().doesNotExist(HttpHeaders.SET_COOKIE).expectBody().isEmpty();
        expectProblem(http.post().uri("/v1/auth/refresh").header(SESSION, "yes please").cookie(COOKIE, cookie).exchange(),
                HttpStatus.BAD_REQUEST, "invalid_request");
        // In a cookie session the token comes from the cookie only.
        expectProblem(http.post().uri("/v1/auth/refresh").header(SESSION, "cookie").cookie(COOKIE, cookie)
                .contentType(MediaType.APPLICATION_JSON).bodyValue(Map.of("refreshToken", cookie)).exchange(),
                HttpStatus.BAD_REQUEST, "invalid_request");
        // None of that spent or ended the session.
        refresh(cookie).expectStatus().isOk().expectBody();
    }

    @Test
    void anotherOriginIsRefusedAndNeverGetsCorsHeaders() {
        String cookie = cookieLogin(null);
        String own = "http://127.0.0.1:" + port;
        for (String origin : List.of("https://evil.example", "null", "http://localhost:" + port, "https://127.0.0.1:" + port,
                own + "/ui")) {
            EntityExchangeResult<byte[]> refused = http.post().uri("/v1/auth/refresh").header(SESSION, "cookie")
                    .header(HttpHeaders.ORIGIN, origin).cookie(COOKIE, cookie).exchange()
                    .expectStatus().isForbidden()
                    .expectHeader().doesNotExist(HttpHeaders.ACCESS_CONTROL_ALLOW_ORIGIN)
                    .expectHeader().doesNotExist(HttpHeaders.ACCESS_CONTROL_ALLOW_CREDENTIALS)
                    .expectHeader().doesNotExist(HttpHeaders.SET_COOKIE)
                    .expectBody().jsonPath("$.code").isEqualTo("origin_mismatch").returnResult();
            assertThat(refused.getResponseBodyContent()).isNotEmpty();
        }
        expectProblem(http.post().uri("/v1/auth/login").header(SESSION, "cookie").header(HttpHeaders.ORIGIN, "https://evil.example")
                .contentType(MediaType.APPLICATION_JSON).bodyValue(Map.of("username", name, "password", USER_PASSWORD)).exchange(),
                HttpStatus.FORBIDDEN, "origin_mismatch");
        expectProblem(http.post().uri("/v1/auth/logout").header(SESSION, "cookie").header(HttpHeaders.ORIGIN, "https://evil.example")
                .cookie(COOKIE, cookie).exchange(), HttpStatus.FORBIDDEN, "origin_mismatch");
        // A script of another origin cannot even send the header: its preflight is refused.
        http.options().uri("/v1/auth/refresh").header(HttpHeaders.ORIGIN, "https://evil.example")
                .header(HttpHeaders.ACCESS_CONTROL_REQUEST_METHOD, "POST")
                .header(HttpHeaders.ACCESS_CONTROL_REQUEST_HEADERS, "x-granary-session").exchange()
                .expectStatus().isForbidden()
                .expectHeader().doesNotExist(HttpHeaders.ACCESS_CONTROL_ALLOW_ORIGIN)
                .expectHeader().doesNotExist(HttpHeaders.ACCESS_CONTROL_ALLOW_HEADERS)
                .expectHeader().doesNotExist(HttpHeaders.ACCESS_CONTROL_ALLOW_CREDENTIALS)
                .expectBody().jsonPath("$.code").isEqualTo("cors_forbidden");
        // Granary's own page may (the Host the request was sent to, its scheme).
        http.post().uri("/v1/auth/refresh").header(SESSION, "cookie").header(HttpHeaders.ORIGIN, own).cookie(COOKIE, cookie)
                .exchange().expectStatus().isOk()
                .expectHeader().doesNotExist(HttpHeaders.ACCESS_CONTROL_ALLOW_ORIGIN).expectBody();
    }

    @Test
    void logoutEndsTheSessionAndClearsTheCookie() {
        String first = cookieLogin(null);
        String current = setCookie(refresh(first).expectStatus().isOk().expectBody().returnResult()).get(COOKIE);
        EntityExchangeResult<Void> out = http.post().uri("/v1/auth/logout").header(SESSION, "cookie")
                .header(HttpHeaders.ORIGIN, "http://127.0.0.1:" + port).cookie(COOKIE, current).exchange()
                .expectStatus().isNoContent().expectBody().isEmpty();
        assertThat(setCookie(out)).containsEntry(COOKIE, "").containsEntry("max-age", "0")
                .containsEntry("path", "/v1/auth").containsKey("httponly").containsEntry("samesite", "Strict");
        expectProblem(refresh(current), HttpStatus.UNAUTHORIZED, "invalid_token");
        asRoot(http.get().uri("/v1/audit?type=logout&tenant=" + tenantId)).exchange().expectStatus().isOk()
                .expectBody().jsonPath("$.events.length()").isEqualTo(1);
        // No cookie at all: still 204, and the browser is told to forget whatever it had.
        assertThat(setCookie(http.post().uri("/v1/auth/logout").header(SESSION, "cookie").exchange()
                .expectStatus().isNoContent().expectBody().returnResult())).containsEntry("max-age", "0");
    }

    @Test
    void bodyTokensWorkAsBeforeAndSetNoCookie() {
        Map<String, Object> session = login(name, USER_PASSWORD);
        assertThat((String) session.get("refreshToken")).startsWith("grf_");
        EntityExchangeResult<byte[]> refreshed = http.post().uri("/v1/auth/refresh").contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Map.of("refreshToken", session.get("refreshToken"))).exchange()
                .expectStatus().isOk().expectHeader().doesNotExist(HttpHeaders.SET_COOKIE)
                .expectBody().jsonPath("$.refreshToken").isNotEmpty().returnResult();
        String next = new String(refreshed.getResponseBodyContent()).replaceAll(".*\"refreshToken\":\"([^\"]+)\".*", "$1");
        http.post().uri("/v1/auth/logout").contentType(MediaType.APPLICATION_JSON).bodyValue(Map.of("refreshToken", next))
                .exchange().expectStatus().isNoContent().expectHeader().doesNotExist(HttpHeaders.SET_COOKIE).expectBody().isEmpty();
        expectProblem(http.post().uri("/v1/auth/refresh").contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Map.of("refreshToken", next)).exchange(), HttpStatus.UNAUTHORIZED, "invalid_token");
    }

    /** A cookie login of the test's user, sending {@code previous} as the browser's cookie if given; the new cookie's value. */
    private String cookieLogin(String previous) {
        WebTestClient.RequestBodySpec request = http.post().uri("/v1/auth/login").header(SESSION, "cookie");
        if (previous != null) {
            request = request.cookie(COOKIE, previous);
        }
        return setCookie(request.contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Map.of("username", name, "password", USER_PASSWORD))
                .exchange().expectStatus().isOk().expectBody().returnResult()).get(COOKIE);
    }

    private WebTestClient.ResponseSpec refresh(String cookie) {
        return http.post().uri("/v1/auth/refresh").header(SESSION, "cookie").cookie(COOKIE, cookie).exchange();
    }

    /** The one {@code Set-Cookie} of an answer: the cookie's name and value, then its attributes (lower-case names). */
    private static Map<String, String> setCookie(EntityExchangeResult<?> result) {
        List<String> headers = result.getResponseHeaders().get(HttpHeaders.SET_COOKIE);
        assertThat(headers).as("Set-Cookie").hasSize(1);
        Map<String, String> parts = new LinkedHashMap<>();
        String[] pieces = headers.get(0).split(";");
        String[] pair = pieces[0].split("=", 2);
        parts.put(pair[0].strip(), pair[1].strip());
        for (int i = 1; i < pieces.length; i++) {
            String[] attribute = pieces[i].split("=", 2);
            parts.put(attribute[0].strip().toLowerCase(Locale.ROOT), attribute.length > 1 ? attribute[1].strip() : "");
        }
        return parts;
    }

    private static String accessToken(EntityExchangeResult<byte[]> result) {
        return new String(result.getResponseBodyContent()).replaceAll(".*\"accessToken\":\"([^\"]+)\".*", "$1");
    }
}
