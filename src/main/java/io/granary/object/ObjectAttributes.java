package io.granary.object;

import io.granary.common.CacheControlValue;
import io.granary.bucket.Bucket;
import io.granary.error.ErrorCode;
import io.granary.error.GranaryException;
import io.granary.security.Principal;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.springframework.http.InvalidMediaTypeException;
import org.springframework.http.MediaType;

/**
 * Rules for the attributes an object is served with (content type, cache control) and for
 * reading them out of a PATCH body. Whatever passes here can be sent back in a response header.
 */
final class ObjectAttributes {

    static final String DEFAULT_CONTENT_TYPE = "application/octet-stream";
    private static final Set<String> PATCHABLE = Set.of("contentType", "cacheControl", "metadata", "tags");

    private ObjectAttributes() {
    }

    /** The normalized media type, if it is concrete, well-formed and accepted by the bucket. */
    static String contentType(Bucket bucket, String declared) {
        String type = declared == null || declared.isBlank() ? DEFAULT_CONTENT_TYPE : declared.strip();
        MediaType parsed;
        try {
            // The strictest parser in the stack: whatever it accepts can be served again.
            parsed = MediaType.parseMediaType(type);
        } catch (InvalidMediaTypeException e) {
            throw new GranaryException(ErrorCode.INVALID_REQUEST, "Content-Type '" + type + "' is not a media type.");
        }
        if (parsed.isWildcardType() || parsed.isWildcardSubtype()) {
            throw new GranaryException(ErrorCode.INVALID_REQUEST, "Content-Type must be a concrete media type.");
        }
        if (!bucket.accepts(parsed)) {
            throw new GranaryException(ErrorCode.UNSUPPORTED_MEDIA_TYPE,
                    "Bucket '" + bucket.name() + "' does not accept " + parsed.getType() + "/" + parsed.getSubtype() + ".");
        }
        return parsed.toString();
    }

    /**
     * The largest body this upload may have: the bucket's limit, narrowed by a signed URL's;
     * a signed URL that pins a media type admits only that one. {@code null}: no limit.
     */
    static Long uploadLimit(Principal principal, Bucket bucket, String contentType) {
        Long limit = bucket.maxObjectSize();
        if (principal instanceof Principal.Grant grant) {
            if (grant.contentType() != null && !MediaType.parseMediaType(grant.contentType())
                    .equalsTypeAndSubtype(MediaType.parseMediaType(contentType))) {
                throw new GranaryException(ErrorCode.UNSUPPORTED_MEDIA_TYPE,
                        "The signed URL admits only " + grant.contentType() + ".");
            }
            if (grant.maxSize() != null) {
                limit = limit == null ? grant.maxSize() : Math.min(limit, grant.maxSize());
            }
        }
        return limit;
    }

    /** Cache-Control is echoed on every read: printable ASCII only, bounded. */
    static String cacheControl(String value) {
        return CacheControlValue.require(value);
    }

    /** Fails with {@code invalid_json} on a field a PATCH cannot change. */
    static void requirePatchable(Map<String, Object> patch) {
        for (String field : patch.keySet()) {
            if (!PATCHABLE.contains(field)) {
                throw new GranaryException(ErrorCode.INVALID_JSON, "Unknown field '" + field + "'.");
            }
        }
    }

    static String text(Map<String, Object> patch, String field, boolean nullable) {
        Object value = patch.get(field);
        if (value instanceof String text) {
            return text;
        }
        if (value == null && nullable) {
            return null;
        }
        throw new GranaryException(ErrorCode.INVALID_JSON, "'" + field + "' must be a string.");
    }

    static Map<String, String> strings(Map<String, Object> patch, String field) {
        Object value = patch.get(field);
        if (value == null) {
            return Map.of();
        }
        if (value instanceof Map<?, ?> map && map.values().stream().allMatch(String.class::isInstance)) {
            Map<String, String> result = new LinkedHashMap<>();
            map.forEach((name, text) -> result.put(String.valueOf(name), (String) text));
            return result;
        }
        throw new GranaryException(ErrorCode.INVALID_JSON, "'" + field + "' must be an object of strings.");
    }
}
