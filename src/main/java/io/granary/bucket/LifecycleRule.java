package io.granary.bucket;

import io.granary.error.ErrorCode;
import io.granary.error.GranaryException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * One lifecycle rule of a bucket: what the lifecycle job ({@code io.granary.lifecycle}) deletes
 * under a key prefix, and when. An object whose current version was last modified more than
 * {@code expireAfterDays} days ago is deleted; a multipart or tus upload still open more than
 * {@code abortIncompleteUploadsAfterDays} days after it began is aborted. A rule has at least
 * one of the two.
 *
 * @param id 1-64 characters of letters, digits, {@code .}, {@code _} and {@code -}; unique in the bucket
 * @param prefix the keys it applies to; empty for the whole bucket (at most 1024 bytes of UTF-8)
 * @param expireAfterDays 1 to {@value #MAX_DAYS}, or {@code null} to delete no objects
 * @param abortIncompleteUploadsAfterDays 1 to {@value #MAX_DAYS}, or {@code null} to abort no uploads
 */
public record LifecycleRule(String id, String prefix, Integer expireAfterDays, Integer abortIncompleteUploadsAfterDays) {

    /** Rules a bucket may have. */
    public static final int MAX_RULES = 100;
    /** The longest any rule may wait: a hundred years. */
    public static final int MAX_DAYS = 36_500;
    static final String FIELD = "lifecycleRules";
    private static final Pattern ID = Pattern.compile("[A-Za-z0-9._-]{1,64}");
    private static final Set<String> FIELDS = Set.of("id", "prefix", "expireAfterDays", "abortIncompleteUploadsAfterDays");

    public LifecycleRule {
        prefix = prefix == null ? "" : prefix;
    }

    /**
     * The rules of a {@code lifecycleRules} value from a JSON body: {@code null} or an empty list
     * for none. Anything else than up to {@value #MAX_RULES} valid rules with distinct ids is
     * refused with {@code invalid_request}, naming the field ({@code lifecycleRules[2].expireAfterDays}).
     */
    static List<LifecycleRule> parse(Object value) {
        if (value == null) {
            return List.of();
        }
        if (!(value instanceof List<?> list)) {
            throw invalid("'" + FIELD + "' must be an array of rules, or null.");
        }
        if (list.size() > MAX_RULES) {
            throw invalid("'" + FIELD + "' may hold at most " + MAX_RULES + " rules.");
        }
        List<LifecycleRule> rules = new ArrayList<>();
        Set<String> ids = new HashSet<>();
        for (int i = 0; i < list.size(); i++) {
            LifecycleRule rule = rule(list.get(i), FIELD + "[" + i + "]");
            if (!ids.add(rule.id())) {
                throw invalid("'" + FIELD + "[" + i + "].id': another rule of the bucket is already called '" + rule.id() + "'.");
            }
            rules.add(rule);
        }
        return List.copyOf(rules);
    }

    private static LifecycleRule rule(Object value, String at) {
        if (!(value instanceof Map<?, ?> fields)) {
            throw invalid("'" + at + "' must be an object with 'id', 'prefix', 'expireAfterDays' and"
                    + " 'abortIncompleteUploadsAfterDays'.");
        }
        for (Object name : fields.keySet()) {
            if (!FIELDS.contains(name)) {
                throw invalid("'" + at + "." + name + "' is not a field of a lifecycle rule.");
            }
        }
        if (!(fields.get("id") instanceof String id) || !ID.matcher(id).matches()) {
            throw invalid("'" + at + ".id' must be 1-64 letters, digits, '.', '_' or '-'.");
        }
        Object prefix = fields.get("prefix");
        if (prefix != null && !(prefix instanceof String)) {
            throw invalid("'" + at + ".prefix' must be a string (empty for the whole bucket).");
        }
        if (prefix != null && ((String) prefix).getBytes(StandardCharsets.UTF_8).length > 1024) {
            throw invalid("'" + at + ".prefix' is longer than 1024 bytes of UTF-8.");
        }
        Integer expire = days(fields.get("expireAfterDays"), at + ".expireAfterDays");
        Integer abort = days(fields.get("abortIncompleteUploadsAfterDays"), at + ".abortIncompleteUploadsAfterDays");
        if (expire == null && abort == null) {
            throw invalid("'" + at + "' needs 'expireAfterDays' or 'abortIncompleteUploadsAfterDays' (or both).");
        }
        return new LifecycleRule(id, (String) prefix, expire, abort);
    }

    private static Integer days(Object value, String at) {
        if (value == null) {
            return null;
        }
        if ((value instanceof Integer || value instanceof Long) && ((Number) value).longValue() >= 1
                && ((Number) value).longValue() <= MAX_DAYS) {
            return ((Number) value).intValue();
        }
        throw invalid("'" + at + "' must be a whole number of days from 1 to " + MAX_DAYS + ", or null.");
    }

    private static GranaryException invalid(String detail) {
        return new GranaryException(ErrorCode.INVALID_REQUEST, detail);
    }
}
