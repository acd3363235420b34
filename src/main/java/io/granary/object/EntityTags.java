package io.granary.object;

import io.granary.error.ErrorCode;
import io.granary.error.GranaryException;
import java.util.ArrayList;
import java.util.List;

/**
 * Parses the entity-tag lists of {@code If-Match} and {@code If-None-Match}. Malformed lists
 * are a 400 rather than being ignored, so a client's mistake never turns a conditional
 * request into an unconditional one.
 */
final class EntityTags {

    /** Any current representation. */
    static final String ANY = "*";

    private EntityTags() {
    }

    /**
     * The tags of all header values in order: {@link #ANY}, or the opaque tag without quotes;
     * weak tags keep their {@code W/} prefix (and so never equal a stored strong ETag).
     */
    static List<String> parse(List<String> headerValues, String header) {
        List<String> tags = new ArrayList<>();
        if (headerValues == null) {
            return tags;
        }
        for (String value : headerValues) {
            for (String part : value.split(",")) {
                String tag = part.strip();
                if (tag.isEmpty()) {
                    continue;
                }
                if (tag.equals(ANY)) {
                    tags.add(ANY);
                } else if (isQuoted(tag)) {
                    tags.add(tag.substring(1, tag.length() - 1));
                } else if (tag.startsWith("W/") && isQuoted(tag.substring(2))) {
                    tags.add(tag);
                } else {
                    throw new GranaryException(ErrorCode.INVALID_REQUEST,
                            header + " must list quoted entity tags (\"...\") or '*'.");
                }
            }
        }
        return tags;
    }

    /** Strong comparison (RFC 9110 8.8.3.2): a weak tag never matches. */
    static boolean matches(List<String> tags, String etag) {
        return tags.contains(ANY) || tags.contains(etag);
    }

    private static boolean isQuoted(String tag) {
        return tag.length() >= 2 && tag.startsWith("\"") && tag.endsWith("\"") && tag.indexOf('"', 1) == tag.length() - 1;
    }
}
