package io.granary.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;

import io.granary.api.ApiTestSupport;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;

/**
 * Lifecycle rules are a bucket setting: set on create and by PATCH, shown by every bucket
 * answer, validated field by field ({@code invalid_request} naming the field, nothing changed),
 * admin only, and audited.
 */
class LifecycleRulesApiTest extends ApiTestSupport {

    private static final ParameterizedTypeReference<Map<String, Object>> JSON = new ParameterizedTypeReference<>() { };

    private String tenantId;
    private String admin;
    private String bucket;

    @BeforeEach
    void bucket() {
        tenantId = createTenant(unique("life"));
        admin = createKey(tenantId, List.of("admin"), null);
        bucket = unique("life");
        createBucket(admin, bucket, Map.of());
    }

    @Test
    void rulesAreStoredShownAndCleared() {
        assertThat(get().get("lifecycleRules")).isEqualTo(List.of());
        List<Map<String, Object>> rules = List.of(
                Map.of("id", "logs", "prefix", "logs/", "expireAfterDays", 30),
                Map.of("id", "uploads", "abortIncompleteUploadsAfterDays", 7),
                Map.of("id", "tmp", "prefix", "tmp/", "expireAfterDays", 1, "abortIncompleteUploadsAfterDays", 1));
        Map<String, Object> patched = patch(Map.of("lifecycleRules", rules)).expectStatus().isOk()
                .expectBody(JSON).returnResult().getResponseBody();
        List<Map<String, Object>> expected = List.of(
                rule("logs", "logs/", 30, null), rule("uploads", "", null, 7), rule("tmp", "tmp/", 1, 1));
        assertThat(patched.get("lifecycleRules")).isEqualTo(expected);
        assertThat(get().get("lifecycleRules")).isEqualTo(expected);

        // Another field's change keeps the rules.
        patch(Map.of("cacheControl", "no-cache")).expectStatus().isOk().expectBody();
        assertThat(get().get("lifecycleRules")).isEqualTo(expected);
        http.get().uri("/v1/audit?type=bucket_lifecycle_changed").header("X-Api-Key", admin).exchange()
                .expectStatus().isOk().expectBody()
                .jsonPath("$.events[0].target").isEqualTo("bucket:" + bucket)
                .jsonPath("$.events[0].details.rules").isEqualTo("3");

        Map<String, Object> cleared = new HashMap<>();
        cleared.put("lifecycleRules", null);
        patch(cleared).expectStatus().isOk().expectBody();
        assertThat(get().get("lifecycleRules")).isEqualTo(List.of());
    }

    @Test
    void createTakesRules() {
        String other = unique("life");
        http.post().uri("/v1/buckets").header("X-Api-Key", admin).contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Map.of("name", other, "lifecycleRules", List.of(Map.of("id", "all", "expireAfterDays", 365))))
                .exchange().expectStatus().isCreated().expectBody()
                .jsonPath("$.lifecycleRules[0].id").isEqualTo("all")
                .jsonPath("$.lifecycleRules[0].prefix").isEqualTo("")
                .jsonPath("$.lifecycleRules[0].expireAfterDays").isEqualTo(365);
        expectProblem(http.post().uri("/v1/buckets").header("X-Api-Key", admin).contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Map.of("name", unique("life"), "lifecycleRules", List.of(Map.of("id", "none")))).exchange(),
                HttpStatus.BAD_REQUEST, "invalid_request");
    }

    @Test
    void invalidRulesAreRefusedNamingTheFieldAndChangeNothing() {
        patch(Map.of("lifecycleRules", List.of(Map.of("id", "keep", "expireAfterDays", 10)))).expectStatus().isOk().expectBody();
        Map<String, Object> before = get();

        refused(List.of(Map.of("id", "a", "expireAfterDays", 0)), "lifecycleRules[0].expireAfterDays");
        refused(List.of(Map.of("id", "a", "expireAfterDays", 36_501)), "lifecycleRules[0].expireAfterDays");
        refused(List.of(Map.of("id", "a", "expireAfterDays", "7")), "lifecycleRules[0].expireAfterDays");
        refused(List.of(Map.of("id", "a", "expireAfterDays", 1.5)), "lifecycleRules[0].expireAfterDays");
        refused(List.of(Map.of("id", "a", "abortIncompleteUploadsAfterDays", -1)),
                "lifecycleRules[0].abortIncompleteUploadsAfterDays");
        refused(List.of(Map.of("id", "a", "prefix", "x/")), "lifecycleRules[0]' needs");
        refused(List.of(Map.of("id", "a", "expireAfterDays", 1), Map.of("expireAfterDays", 1)), "lifecycleRules[1].id");
        refused(List.of(Map.of("id", "has space", "expireAfterDays", 1)), "lifecycleRules[0].id");
        refused(List.of(Map.of("id", "a", "expireAfterDays", 1), Map.of("id", "a", "expireAfterDays", 2)),
                "lifecycleRules[1].id");
        refused(List.of(Map.of("id", "a", "prefix", 3, "expireAfterDays", 1)), "lifecycleRules[0].prefix");
        refused(List.of(Map.of("id", "a", "prefix", "x".repeat(1025), "expireAfterDays", 1)), "lifecycleRules[0].prefix");
        refused(List.of(Map.of("id", "a", "expireAfterDays", 1, "days", 3)), "lifecycleRules[0].days");
        refused(List.of("a"), "lifecycleRules[0]");
        refused("rules", "lifecycleRules");
        List<Map<String, Object>> tooMany = new ArrayList<>();
        for (int i = 0; i < 101; i++) {
            tooMany.add(Map.of("id", "r" + i, "expireAfterDays", 1));
        }
        refused(tooMany, "at most 100 rules");

        assertThat(get()).isEqualTo(before);
        // A key without admin may not set them.
        String tenantKey = createKey(tenantId, List.of("read", "write", "delete", "list"), null);
        expectProblem(http.patch().uri("/v1/buckets/{b}", bucket).header("X-Api-Key", tenantKey)
                .contentType(MediaType.APPLICATION_JSON).bodyValue(Map.of("lifecycleRules", List.of())).exchange(),
                HttpStatus.FORBIDDEN, "forbidden");
        assertThat(get()).isEqualTo(before);
    }

    /** A PATCH with {@code rules} and a change of another field: refused, naming {@code field}. */
    private void refused(Object rules, String field) {
        Map<String, Object> body = new HashMap<>();
        body.put("lifecycleRules", rules);
        body.put("cacheControl", "max-age=60");
        patch(body).expectStatus().isBadRequest().expectBody()
                .jsonPath("$.code").isEqualTo("invalid_request")
                .jsonPath("$.detail").value(detail -> assertThat((String) detail).contains(field));
    }

    private static Map<String, Object> rule(String id, String prefix, Integer expire, Integer abort) {
        Map<String, Object> rule = new HashMap<>();
        rule.put("id", id);
        rule.put("prefix", prefix);
        rule.put("expireAfterDays", expire);
        rule.put("abortIncompleteUploadsAfterDays", abort);
        return rule;
    }

    private WebTestClient.ResponseSpec patch(Map<String, Object> body) {
        return http.patch().uri("/v1/buckets/{b}", bucket).header("X-Api-Key", admin).contentType(MediaType.APPLICATION_JSON)
                .bodyValue(body).exchange();
    }

    private Map<String, Object> get() {
        return http.get().uri("/v1/buckets/{b}", bucket).header("X-Api-Key", admin).exchange().expectStatus().isOk()
                .expectBody(JSON).returnResult().getResponseBody();
    }
}
