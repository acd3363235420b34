package io.granary.auth;

import static org.assertj.core.api.Assertions.assertThat;

import io.granary.api.ApiTestSupport;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;

/**
 * A user's own sessions: {@code GET /v1/auth/sessions} lists the live ones and marks the
 * caller's, {@code DELETE /v1/auth/sessions/{id}} ends one (its refresh token then fails as a
 * revoked one does), {@code DELETE /v1/auth/sessions} ends all but the caller's; nobody reaches
 * another user's sessions, and keys have none.
 */
class AccountSessionsApiTest extends ApiTestSupport {

    private String name;
    private String tenantId;
    private String userId;

    @BeforeEach
    void member() {
        name = unique("u");
        tenantId = createTenant(unique("t"));
        userId = createUser(tenantId, name, "member");
    }

    @Test
    void twoLoginsAreTwoSessionsAndOnlyTheCallersIsCurrent() throws InterruptedException {
        Map<String, Object> first = login(name, USER_PASSWORD);
        Instant beforeSecond = Instant.now();
        Map<String, Object> second = http.post().uri("/v1/auth/login").header(HttpHeaders.USER_AGENT, "Phone\tBrowser/2.0 " + "x".repeat(300))
                .contentType(MediaType.APPLICATION_JSON).bodyValue(Map.of("username", name, "password", USER_PASSWORD))
                .exchange().expectStatus().isOk().expectBody(MAP).returnResult().getResponseBody();

        Map<String, Object> listing = list(token(first));
        assertThat(listing.get("managedBy")).isEqualTo("granary");
        List<Map<String, Object>> sessions = sessions(listing);
        assertThat(sessions).hasSize(2);
        assertThat(sessions).filteredOn(s -> Boolean.TRUE.equals(s.get("current"))).hasSize(1);
        Map<String, Object> mine = sessions.get(0);
        Map<String, Object> other = sessions.get(1);
        assertThat(mine.get("current")).isEqualTo(true);
        assertThat(other.get("current")).isEqualTo(false);
        assertThat(mine.get("via")).isEqualTo("password");
        assertThat((String) other.get("client")).startsWith("PhoneBrowser/2.0 ").hasSize(SessionOpening.CLIENT_LENGTH);
        // Never a refresh token or anything derived from one.
        assertThat(listing.toString()).doesNotContain((String) first.get("refreshToken"), (String) second.get("refreshToken"), "grf_");
        assertThat(Instant.parse((String) other.get("startedAt"))).isAfterOrEqualTo(beforeSecond.minusMillis(1000));
        assertThat(Instant.parse((String) other.get("expiresAt"))).isAfter(Instant.now().plusSeconds(29L * 24 * 3600));
        // The other login sees the same two, with its own marked.
        List<Map<String, Object>> seenBySecond = sessions(list(token(second)));
        assertThat(seenBySecond.get(0).get("id")).isEqualTo(other.get("id"));
        assertThat(seenBySecond.get(0).get("current")).isEqualTo(true);

        // A refresh moves the last-refreshed time and the expiry, keeps the start, and the new
        // access token is still of the same session.
        Thread.sleep(1100);
        Map<String, Object> refreshed = refresh((String) first.get("refreshToken")).expectStatus().isOk()
                .expectBody(MAP).returnResult().getResponseBody();
        Map<String, Object> after = sessions(list(token(refreshed))).get(0);
        assertThat(after.get("id")).isEqualTo(mine.get("id"));
        assertThat(after.get("current")).isEqualTo(true);
        assertThat(after.get("startedAt")).isEqualTo(mine.get("startedAt"));
        assertThat(Instant.parse((String) after.get("refreshedAt"))).isAfter(Instant.parse((String) mine.get("refreshedAt")));
        assertThat(Instant.parse((String) after.get("expiresAt"))).isAfter(Instant.parse((String) mine.get("expiresAt")));
        assertThat(sessions(list(token(refreshed)))).hasSize(2);
    }

    @Test
    void endingTheOtherSessionRefusesItsRefreshAndKeepsTheCurrentOne() {
        Map<String, Object> mine = login(name, USER_PASSWORD);
        Map<String, Object> other = login(name, USER_PASSWORD);
        String otherId = (String) sessions(list(token(mine))).get(1).get("id");

        http.delete().uri("/v1/auth/sessions/{id}", otherId).header("Authorization", "Bearer " + token(mine))
                .exchange().expectStatus().isNoContent().expectBody().isEmpty();
        expectProblem(refresh((String) other.get("refreshToken")), HttpStatus.UNAUTHORIZED, "invalid_token");
        refresh((String) mine.get("refreshToken")).expectStatus().isOk().expectBody();
        assertThat(sessions(list(token(mine)))).extracting(s -> s.get("current")).containsExactly(true);
        // Ended once is unknown after: 404, and still just one logout audited.
        expectProblem(http.delete().uri("/v1/auth/sessions/{id}", otherId).header("Authorization", "Bearer " + token(mine))
                .exchange(), HttpStatus.NOT_FOUND, "not_found");
        asRoot(http.get().uri("/v1/audit?type=logout&tenant=" + tenantId)).exchange().expectStatus().isOk()
                .expectBody().jsonPath("$.events.length()").isEqualTo(1)
                .jsonPath("$.events[0].details.session").isEqualTo(otherId);
        // The access token already issued in the ended session works until it expires, as after a logout.
        http.get().uri("/v1/buckets").header("Authorization", "Bearer " + token(other)).exchange().expectStatus().isOk().expectBody();
    }

    @Test
    void anotherUserCanNeitherSeeNorEndTheSession() {
        Map<String, Object> mine = login(name, USER_PASSWORD);
        String myId = (String) sessions(list(token(mine))).get(0).get("id");
        String stranger = unique("u");
        createUser(tenantId, stranger, "tenant-admin");
        String theirs = accessToken(stranger, USER_PASSWORD);

        assertThat(sessions(list(theirs))).extracting(s -> s.get("id")).doesNotContain(myId).hasSize(1);
        expectProblem(http.delete().uri("/v1/auth/sessions/{id}", myId).header("Authorization", "Bearer " + theirs).exchange(),
                HttpStatus.NOT_FOUND, "not_found");
        expectProblem(http.delete().uri("/v1/auth/sessions/{id}", "no-such-session").header("Authorization", "Bearer " + theirs)
                .exchange(), HttpStatus.NOT_FOUND, "not_found");
        // Nothing changed: the session still refreshes.
        refresh((String) mine.get("refreshToken")).expectStatus().isOk().expectBody();
        // The endpoints need a credential, unlike login and refresh.
        expectProblem(http.get().uri("/v1/auth/sessions").exchange(), HttpStatus.UNAUTHORIZED, "unauthenticated");
        expectProblem(http.delete().uri("/v1/auth/sessions/{id}", myId).exchange(), HttpStatus.UNAUTHORIZED, "unauthenticated");
    }

    @Test
    void everywhereElseLeavesOnlyTheCurrentSession() {
        Map<String, Object> a = login(name, USER_PASSWORD);
        Map<String, Object> b = login(name, USER_PASSWORD);
        Map<String, Object> mine = login(name, USER_PASSWORD);

        http.delete().uri("/v1/auth/sessions").header("Authorization", "Bearer " + token(mine)).exchange()
                .expectStatus().isOk().expectBody().jsonPath("$.ended").isEqualTo(2);
        List<Map<String, Object>> left = sessions(list(token(mine)));
        assertThat(left).hasSize(1);
        assertThat(left.get(0).get("current")).isEqualTo(true);
        expectProblem(refresh((String) a.get("refreshToken")), HttpStatus.UNAUTHORIZED, "invalid_token");
        expectProblem(refresh((String) b.get("refreshToken")), HttpStatus.UNAUTHORIZED, "invalid_token");
        refresh((String) mine.get("refreshToken")).expectStatus().isOk().expectBody();
        http.delete().uri("/v1/auth/sessions").header("Authorization", "Bearer " + token(mine)).exchange()
                .expectStatus().isOk().expectBody().jsonPath("$.ended").isEqualTo(0);
    }

    @Test
    void sessionsEndedByAChangeOfTheUserAreNotListed() {
        login(name, USER_PASSWORD);
        asRoot(http.patch().uri("/v1/users/{id}", userId).contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Map.of("password", USER_PASSWORD + "-new"))).exchange().expectStatus().isOk().expectBody();
        Map<String, Object> fresh = login(name, USER_PASSWORD + "-new");
        assertThat(sessions(list(token(fresh)))).extracting(s -> s.get("current")).containsExactly(true);
    }

    @Test
    void aSystemAdminActingInATenantStillSeesAndEndsOnlyItsOwnSessions() {
        String admin = unique("sys");
        createUser(null, admin, "system-admin");
        Map<String, Object> other = login(admin, USER_PASSWORD);
        String mine = accessToken(admin, USER_PASSWORD);
        login(name, USER_PASSWORD);

        List<Map<String, Object>> sessions = sessions(http.get().uri("/v1/auth/sessions").header("Authorization", "Bearer " + mine)
                .header("X-Granary-Tenant", tenantId).exchange().expectStatus().isOk().expectBody(MAP).returnResult().getResponseBody());
        assertThat(sessions).extracting(s -> s.get("current")).containsExactly(true, false);
        http.delete().uri("/v1/auth/sessions").header("Authorization", "Bearer " + mine).header("X-Granary-Tenant", tenantId)
                .exchange().expectStatus().isOk().expectBody().jsonPath("$.ended").isEqualTo(1);
        expectProblem(refresh((String) other.get("refreshToken")), HttpStatus.UNAUTHORIZED, "invalid_token");
        // The tenant's member was not touched.
        assertThat(sessions(list(accessToken(name, USER_PASSWORD)))).hasSize(2);
    }

    @Test
    void keysHaveNoSessions() {
        String key = createKey(tenantId, List.of("admin"), null);
        Map<String, Object> mine = login(name, USER_PASSWORD);
        String myId = (String) sessions(list(token(mine))).get(0).get("id");

        Map<String, Object> listing = list(key);
        assertThat(listing.get("managedBy")).isEqualTo("none");
        assertThat(sessions(listing)).isEmpty();
        assertThat(list(ROOT_KEY).get("managedBy")).isEqualTo("none");
        expectProblem(http.delete().uri("/v1/auth/sessions/{id}", myId).header("Authorization", "Bearer " + key).exchange(),
                HttpStatus.NOT_FOUND, "not_found");
        http.delete().uri("/v1/auth/sessions").header("Authorization", "Bearer " + key).exchange()
                .expectStatus().isOk().expectBody().jsonPath("$.ended").isEqualTo(0);
        refresh((String) mine.get("refreshToken")).expectStatus().isOk().expectBody();
    }

    private static final ParameterizedTypeReference<Map<String, Object>> MAP = new ParameterizedTypeReference<>() { };

    private Map<String, Object> list(String credential) {
        return http.get().uri("/v1/auth/sessions").header("Authorization", "Bearer " + credential).exchange()
                .expectStatus().isOk().expectHeader().valueEquals(HttpHeaders.CACHE_CONTROL, "no-store")
                .expectBody(MAP).returnResult().getResponseBody();
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> sessions(Map<String, Object> listing) {
        return (List<Map<String, Object>>) listing.get("sessions");
    }

    private static String token(Map<String, Object> tokens) {
        return (String) tokens.get("accessToken");
    }

    private WebTestClient.ResponseSpec refresh(String refreshToken) {
        return http.post().uri("/v1/auth/refresh").contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Map.of("refreshToken", refreshToken)).exchange();
    }
}
