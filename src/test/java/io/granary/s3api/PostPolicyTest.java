package io.granary.s3api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.granary.error.ErrorCode;
import io.granary.error.GranaryException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** S3's POST policy rules, without a server. */
class PostPolicyTest {

    private static final Instant NOW = Instant.parse("2030-01-01T12:00:00Z");

    private static PostPolicy policy(String conditions) {
        return PostPolicy.parse(Base64.getEncoder().encodeToString(("{\"expiration\": \"2030-01-01T12:05:00.000Z\", \"conditions\": ["
                + conditions + "]}").getBytes(StandardCharsets.UTF_8)));
    }

    private static void refused(Runnable check, ErrorCode code, String message) {
        assertThatThrownBy(check::run).isInstanceOfSatisfying(GranaryException.class, e -> {
            assertThat(e.code()).isEqualTo(code);
            assertThat(e.getMessage()).contains(message);
        });
    }

    @Test
    void conditionsMatchExactlyOrByPrefixWithFieldNamesInAnyCase() {
        PostPolicy policy = policy("{\"bucket\": \"b\"}, [\"starts-with\", \"$Key\", \"up/\"], [\"eq\", \"$Content-Type\", \"text/plain\"],"
                + " [\"starts-with\", \"$x-amz-meta-tag\", \"\"], [\"content-length-range\", 1, 10]");
        policy.check(Map.of("key", "up/a.txt", "content-type", "text/plain", "x-amz-signature", "s", "policy", "p",
                "x-ignore-me", "1"), "b", NOW);
        assertThat(policy.lengthRange()).isEqualTo(new PostPolicy.LengthRange(1, 10));
        refused(() -> policy.check(Map.of("key", "down/a.txt", "content-type", "text/plain"), "b", NOW),
                ErrorCode.POLICY_CONDITION_FAILED, "[\"starts-with\", \"$key\", \"up/\"]");
        refused(() -> policy.check(Map.of("key", "up/a", "content-type", "text/plain"), "other", NOW),
                ErrorCode.POLICY_CONDITION_FAILED, "$bucket");
        refused(() -> policy.check(Map.of("key", "up/a"), "b", NOW), ErrorCode.POLICY_CONDITION_FAILED, "$content-type");
        refused(() -> policy.check(Map.of("key", "up/a", "content-type", "text/plain", "acl", "private"), "b", NOW),
                ErrorCode.POLICY_CONDITION_FAILED, "Extra input fields: acl");
        refused(() -> policy.check(Map.of("key", "up/a", "content-type", "text/plain"), "b", Instant.parse("2030-01-01T12:05:00Z")),
                ErrorCode.POLICY_CONDITION_FAILED, "Policy expired.");
    }

    @Test
    void aPolicyWithoutABucketConditionIsRefused() {
        refused(() -> policy("[\"starts-with\", \"$key\", \"\"]").check(Map.of("key", "a"), "b", NOW),
                ErrorCode.POLICY_CONDITION_FAILED, "names no bucket");
    }

    @Test
    void malformedPoliciesAreInvalidPolicyDocuments() {
        refused(() -> PostPolicy.parse("***"), ErrorCode.INVALID_POLICY_DOCUMENT, "not base64");
        refused(() -> PostPolicy.parse(Base64.getEncoder().encodeToString("{".getBytes(StandardCharsets.UTF_8))),
                ErrorCode.INVALID_POLICY_DOCUMENT, "not JSON");
        refused(() -> PostPolicy.parse(Base64.getEncoder().encodeToString("{\"conditions\": []}".getBytes(StandardCharsets.UTF_8))),
                ErrorCode.INVALID_POLICY_DOCUMENT, "expiration");
        refused(() -> policy("[\"matches\", \"$key\", \"a\"]"), ErrorCode.INVALID_POLICY_DOCUMENT, "unknown condition operator");
        refused(() -> policy("[\"eq\", \"key\", \"a\"]"), ErrorCode.INVALID_POLICY_DOCUMENT, "must start with '$'");
        refused(() -> policy("[\"content-length-range\", 10, 1]"), ErrorCode.INVALID_POLICY_DOCUMENT, "above its maximum");
        refused(() -> policy("{\"key\": 5}"), ErrorCode.INVALID_POLICY_DOCUMENT, "must be strings");
    }
}
