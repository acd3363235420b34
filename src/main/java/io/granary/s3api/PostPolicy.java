package io.granary.s3api;

import io.granary.error.ErrorCode;
import io.granary.error.GranaryException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * An S3 POST policy (the base64 JSON a browser form carries in its {@code policy} field) and
 * S3's rules for it: the policy must not have expired; every condition must hold ({@code
 * {"field": "value"}} and {@code ["eq", "$field", "value"]} exactly, {@code ["starts-with",
 * "$field", "prefix"]} by prefix, an empty prefix allowing anything); and every form field but
 * {@code x-amz-signature}, {@code file}, {@code policy} and {@code x-ignore-*} must be named by a
 * condition, so a page cannot add a field its signer did not allow. Field names compare without
 * regard to case, values exactly; a field the form lacks counts as empty. {@code
 * ["content-length-range", min, max]} bounds the file's size: {@link #lengthRange()}, enforced
 * as the file streams by {@link PostLengthLimit}. Granary also requires a {@code bucket}
 * condition (AWS does not): without one, a policy could be replayed against any bucket its
 * credential may write.
 *
 * <p>A policy that cannot be read is {@code 400 InvalidPolicyDocument}; one that does not allow
 * the form is {@code 403 AccessDenied} with AWS's "Invalid according to Policy: ..." sentence
 * naming the condition that failed.
 */
final class PostPolicy {

    /** The size bounds of {@code content-length-range}, or {@code 0} and {@link Long#MAX_VALUE} without one. */
    record LengthRange(long min, long max) {
        static final LengthRange ANY = new LengthRange(0, Long.MAX_VALUE);
    }

    /** One {@code eq} or {@code starts-with} condition on a form field (name in lowercase). */
    private record Condition(String field, boolean prefix, String value) {

        boolean holds(String actual) {
            String given = actual == null ? "" : actual;
            return prefix ? given.startsWith(value) : given.equals(value);
        }

        String describe() {
            return prefix ? "[\"starts-with\", \"$" + field + "\", \"" + value + "\"]" : "[\"eq\", \"$" + field + "\", \"" + value + "\"]";
        }
    }

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final Instant expiration;
    private final List<Condition> conditions;
    private final LengthRange lengthRange;

    private PostPolicy(Instant expiration, List<Condition> conditions, LengthRange lengthRange) {
        this.expiration = expiration;
        this.conditions = conditions;
        this.lengthRange = lengthRange;
    }

    /** The policy that {@code base64} (the form's {@code policy} field) encodes. */
    static PostPolicy parse(String base64) {
        JsonNode document = document(base64);
        if (!document.isObject()) {
            throw invalid("the policy must be a JSON object");
        }
        JsonNode expiration = document.get("expiration");
        if (expiration == null || !expiration.isString()) {
            throw invalid("Policy missing expiration");
        }
        JsonNode list = document.get("conditions");
        if (list == null || !list.isArray()) {
            throw invalid("Policy missing conditions");
        }
        List<Condition> conditions = new ArrayList<>();
        LengthRange range = LengthRange.ANY;
        for (JsonNode condition : list) {
            if (condition.isObject()) {
                if (condition.size() != 1) {
                    throw invalid("a condition object must name exactly one field: " + condition);
                }
                Map.Entry<String, JsonNode> only = condition.properties().iterator().next();
                conditions.add(new Condition(fieldName(only.getKey(), false), false, text(only.getValue(), condition)));
            } else if (condition.isArray() && condition.size() == 3 && condition.get(0).isString()) {
                String operator = condition.get(0).asString().toLowerCase(Locale.ROOT);
                switch (operator) {
                    case "eq", "starts-with" -> conditions.add(new Condition(fieldName(text(condition.get(1), condition), true),
                            operator.equals("starts-with"), text(condition.get(2), condition)));
                    case "content-length-range" -> {
                        if (range != LengthRange.ANY) {
                            throw invalid("more than one content-length-range");
                        }
                        long min = length(condition.get(1), condition);
                        long max = length(condition.get(2), condition);
                        if (min > max) {
                            throw invalid("content-length-range's minimum is above its maximum: " + condition);
                        }
                        range = new LengthRange(min, max);
                    }
                    default -> throw invalid("unknown condition operator '" + operator + "'");
                }
            } else {
                throw invalid("a condition must be {\"field\": \"value\"} or a three-element array: " + condition);
            }
        }
        return new PostPolicy(expiration(expiration.asString()), List.copyOf(conditions), range);
    }

    LengthRange lengthRange() {
        return lengthRange;
    }

    /**
     * Checks the form against this policy at {@code now}.
     *
     * @param fields the form's fields before the file, names in lowercase
     * @param bucket the bucket the form was posted to, which the {@code bucket} condition must name
     */
    void check(Map<String, String> fields, String bucket, Instant now) {
        if (!now.isBefore(expiration)) {
            throw failed("Policy expired.");
        }
        if (conditions.stream().noneMatch(condition -> condition.field().equals("bucket"))) {
            throw failed("Policy Condition failed: the policy names no bucket (Granary requires [\"eq\", \"$bucket\", \"" + bucket + "\"]).");
        }
        for (Condition condition : conditions) {
            String actual = condition.field().equals("bucket") ? bucket : fields.get(condition.field());
            if (!condition.holds(actual)) {
                throw failed("Policy Condition failed: " + condition.describe());
            }
        }
        for (String field : fields.keySet()) {
            if (!exempt(field) && conditions.stream().noneMatch(condition -> condition.field().equals(field))) {
                throw failed("Extra input fields: " + field);
            }
        }
    }

    /** The fields no condition needs to name, as S3 has it. */
    private static boolean exempt(String field) {
        return field.equals("x-amz-signature") || field.equals("file") || field.equals("policy") || field.startsWith("x-ignore-");
    }

    private static JsonNode document(String base64) {
        byte[] decoded;
        try {
            // Strict, but line breaks (as some encoders wrap) do not matter.
            decoded = Base64.getDecoder().decode(base64.replaceAll("\\s", ""));
        } catch (IllegalArgumentException e) {
            throw invalid("the policy is not base64");
        }
        String json;
        try {
            json = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(decoded)).toString();
        } catch (CharacterCodingException e) {
            throw invalid("the policy is not UTF-8 text");
        }
        try {
            return JSON.readTree(json);
        } catch (JacksonException e) {
            throw invalid("the policy is not JSON");
        }
    }

    /** A condition's field name, in lowercase; in an array condition it must start with {@code $}. */
    private static String fieldName(String name, boolean dollar) {
        if (dollar && !name.startsWith("$")) {
            throw invalid("a condition's field must start with '$', as \"$" + name + "\"");
        }
        String field = dollar ? name.substring(1) : name;
        if (field.isEmpty()) {
            throw invalid("a condition names an empty field");
        }
        return field.toLowerCase(Locale.ROOT);
    }

    private static String text(JsonNode node, JsonNode condition) {
        if (node == null || !node.isString()) {
            throw invalid("a condition's field and value must be strings: " + condition);
        }
        return node.asString();
    }

    private static long length(JsonNode node, JsonNode condition) {
        try {
            long value = node.isIntegralNumber() ? node.asLong() : node.isString() ? Long.parseLong(node.asString().strip()) : -1;
            if (value >= 0) {
                return value;
            }
        } catch (NumberFormatException e) {
            // refused below, as a negative number is
        }
        throw invalid("content-length-range needs two whole numbers of bytes, not " + condition);
    }

    private static Instant expiration(String value) {
        try {
            return OffsetDateTime.parse(value).toInstant();
        } catch (DateTimeParseException e) {
            throw invalid("Invalid 'expiration' value: '" + value + "' (ISO-8601, as 2030-01-01T12:00:00.000Z)");
        }
    }

    private static GranaryException invalid(String why) {
        return new GranaryException(ErrorCode.INVALID_POLICY_DOCUMENT, "Invalid Policy: " + why + ".");
    }

    private static GranaryException failed(String why) {
        return new GranaryException(ErrorCode.POLICY_CONDITION_FAILED, "Invalid according to Policy: " + why);
    }
}
