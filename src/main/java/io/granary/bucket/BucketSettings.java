package io.granary.bucket;

import io.granary.common.CacheControlValue;
import io.granary.common.Quotas;
import io.granary.error.ErrorCode;
import io.granary.error.GranaryException;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.springframework.util.InvalidMimeTypeException;
import org.springframework.util.MimeType;

/**
 * The mutable settings of a bucket, validated.
 *
 * @param visibility {@code private} (default) or {@code public}
 * @param maxObjectSize positive byte count, or {@code null} for no limit
 * @param allowedContentTypes media ranges, or {@code null} for any type
 * @param quotaBytes most bytes the bucket may hold, or {@code null} for no limit
 * @param quotaObjects most objects the bucket may hold, or {@code null} for no limit
 * @param redirectDownloads answer GETs with a redirect to a presigned store URL by default
 * @param cacheControl default {@code Cache-Control} of objects without their own, or {@code null}
 * @param lifecycleRules what the lifecycle job deletes ({@link LifecycleRule}); none is an empty list
 */
public record BucketSettings(String visibility, Long maxObjectSize, List<String> allowedContentTypes, Long quotaBytes,
                             Long quotaObjects, boolean redirectDownloads, String cacheControl,
                             List<LifecycleRule> lifecycleRules) {

    static final Set<String> VISIBILITIES = Set.of("private", "public");
    private static final Set<String> FIELDS = Set.of("visibility", "maxObjectSize", "allowedContentTypes", "quotaBytes",
            "quotaObjects", "redirectDownloads", "cacheControl", LifecycleRule.FIELD);

    public BucketSettings {
        if (visibility == null) {
            visibility = "private";
        }
        if (!VISIBILITIES.contains(visibility)) {
            throw new GranaryException(ErrorCode.INVALID_REQUEST, "'visibility' must be 'private' or 'public'.");
        }
        if (maxObjectSize != null && maxObjectSize <= 0) {
            throw new GranaryException(ErrorCode.INVALID_REQUEST, "'maxObjectSize' must be a positive number of bytes.");
        }
        cacheControl = CacheControlValue.require(cacheControl);
        lifecycleRules = lifecycleRules == null ? List.of() : List.copyOf(lifecycleRules);
        Quotas.limit(quotaBytes, "quotaBytes");
        Quotas.limit(quotaObjects, "quotaObjects");
        if (allowedContentTypes != null) {
            if (allowedContentTypes.size() > 100) {
                throw new GranaryException(ErrorCode.INVALID_REQUEST, "At most 100 allowed content types.");
            }
            for (String type : allowedContentTypes) {
                requireMediaRange(type);
            }
            allowedContentTypes = List.copyOf(allowedContentTypes);
        }
    }

    /**
     * These settings with the fields present in a PATCH body applied; a field given as
     * {@code null} is cleared, an absent field kept.
     */
    BucketSettings patchedWith(Map<String, Object> patch) {
        for (String field : patch.keySet()) {
            if (!FIELDS.contains(field)) {
                throw new GranaryException(ErrorCode.INVALID_JSON, "Unknown field '" + field + "'.");
            }
        }
        String newVisibility = patch.containsKey("visibility") ? asString(patch.get("visibility"), "visibility") : visibility;
        Long newMax = patch.containsKey("maxObjectSize") ? asLong(patch.get("maxObjectSize")) : maxObjectSize;
        List<String> newTypes = patch.containsKey("allowedContentTypes") ? asStrings(patch.get("allowedContentTypes")) : allowedContentTypes;
        Long newQuotaBytes = patch.containsKey("quotaBytes") ? Quotas.limit(patch.get("quotaBytes"), "quotaBytes") : quotaBytes;
        Long newQuotaObjects = patch.containsKey("quotaObjects")
                ? Quotas.limit(patch.get("quotaObjects"), "quotaObjects") : quotaObjects;
        boolean newRedirect = redirectDownloads;
        if (patch.containsKey("redirectDownloads")) {
            if (!(patch.get("redirectDownloads") instanceof Boolean flag)) {
                throw new GranaryException(ErrorCode.INVALID_JSON, "'redirectDownloads' must be true or false.");
            }
            newRedirect = flag;
        }
        String newCacheControl = patch.containsKey("cacheControl") ? asString(patch.get("cacheControl"), "cacheControl") : cacheControl;
        List<LifecycleRule> newRules = patch.containsKey(LifecycleRule.FIELD) ? LifecycleRule.parse(patch.get(LifecycleRule.FIELD))
                : lifecycleRules;
        return new BucketSettings(newVisibility, newMax, newTypes, newQuotaBytes, newQuotaObjects, newRedirect, newCacheControl,
                newRules);
    }

    /** The values of the named fields, as stored, for a partial update. */
    Map<String, Object> fields(Set<String> names) {
        Map<String, Object> values = new java.util.LinkedHashMap<>();
        for (String name : names) {
            values.put(name, switch (name) {
                case "visibility" -> visibility;
                case "maxObjectSize" -> maxObjectSize;
                case "allowedContentTypes" -> allowedContentTypes;
                case "quotaBytes" -> quotaBytes;
                case "quotaObjects" -> quotaObjects;
                case "redirectDownloads" -> redirectDownloads;
                case "cacheControl" -> cacheControl;
                // Stored like the CORS rules: absent rather than an empty list.
                case LifecycleRule.FIELD -> lifecycleRules.isEmpty() ? null : lifecycleRules;
                default -> throw new IllegalArgumentException(name);
            });
        }
        return values;
    }

    private static void requireMediaRange(String type) {
        try {
            if (type == null || type.isBlank()) {
                throw new InvalidMimeTypeException(String.valueOf(type), "empty");
            }
            MimeType parsed = MimeType.valueOf(type);
            if (parsed.isWildcardType() && !parsed.isWildcardSubtype()) {
                throw new InvalidMimeTypeException(type, "wildcard type with a concrete subtype");
            }
        } catch (InvalidMimeTypeException e) {
            throw new GranaryException(ErrorCode.INVALID_REQUEST, "'" + type + "' is not a media type or range such as image/*.");
        }
    }

    private static String asString(Object value, String field) {
        if (value == null || value instanceof String) {
            return (String) value;
        }
        throw new GranaryException(ErrorCode.INVALID_JSON, "'" + field + "' must be a string or null.");
    }

    private static Long asLong(Object value) {
        if (value == null) {
            return null;
        }
        if (value instanceof Integer || value instanceof Long) {
            return ((Number) value).longValue();
        }
        throw new GranaryException(ErrorCode.INVALID_JSON, "'maxObjectSize' must be a whole number or null.");
    }

    private static List<String> asStrings(Object value) {
        if (value == null) {
            return null;
        }
        if (value instanceof List<?> list && list.stream().allMatch(String.class::isInstance)) {
            return list.stream().map(String.class::cast).toList();
        }
        throw new GranaryException(ErrorCode.INVALID_JSON, "'allowedContentTypes' must be an array of strings, or null.");
    }
}
