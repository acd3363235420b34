package io.granary.object;

import io.granary.error.ErrorCode;
import io.granary.error.GranaryException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * User metadata rules, as S3 keeps them: names of lowercase letters, digits, {@code -} and
 * {@code _}; printable ASCII values; at most 2 KiB for all names and values together.
 */
public final class UserMetadata {

    public static final String HEADER_PREFIX = "X-Meta-";
    static final int MAX_TOTAL_BYTES = 2048;
    private static final Pattern NAME = Pattern.compile("[a-z0-9_-]{1,128}");

    private UserMetadata() {
    }

    /** A validated, name-sorted copy with lowercase names. */
    public static Map<String, String> require(Map<String, String> metadata) {
        Map<String, String> result = new TreeMap<>();
        if (metadata == null) {
            return result;
        }
        int total = 0;
        for (Map.Entry<String, String> entry : metadata.entrySet()) {
            String name = entry.getKey() == null ? "" : entry.getKey().toLowerCase(java.util.Locale.ROOT);
            String value = entry.getValue() == null ? "" : entry.getValue();
            if (!NAME.matcher(name).matches()) {
                throw new GranaryException(ErrorCode.INVALID_METADATA,
                        "Metadata name '" + name + "' must be lowercase letters, digits, '-' or '_'.");
            }
            if (!value.chars().allMatch(c -> c >= 0x20 && c < 0x7f)) {
                throw new GranaryException(ErrorCode.INVALID_METADATA, "Metadata value of '" + name + "' must be printable ASCII.");
            }
            total += name.length() + value.getBytes(StandardCharsets.US_ASCII).length;
            result.put(name, value);
        }
        if (total > MAX_TOTAL_BYTES) {
            throw new GranaryException(ErrorCode.INVALID_METADATA, "User metadata exceeds " + MAX_TOTAL_BYTES + " bytes.");
        }
        return result;
    }
}
