package io.granary.object;

import io.granary.error.ErrorCode;
import io.granary.error.GranaryException;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * Object tag rules, as S3 keeps them: at most 10 tags per object version; keys of 1 to 128 and
 * values of 0 to 256 characters (counted as S3 counts them, in UTF-16 code units); each key
 * once; letters, digits and separators of any script, and {@code + - = . _ : / @}; keys do
 * not start with {@code aws:}, which AWS reserves for its own tags. Keys and values are
 * case-sensitive. Every failure is 400 {@code invalid_tag}.
 */
public final class ObjectTags {

    static final int MAX_TAGS = 10;
    static final int MAX_KEY = 128;
    static final int MAX_VALUE = 256;
    /** AWS's own tag pattern: Unicode letters, separators and numbers, and a few marks. */
    private static final Pattern CHARACTERS = Pattern.compile("[\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*");

    private ObjectTags() {
    }

    /** A validated, key-sorted copy; {@code null} is no tags. */
    public static Map<String, String> require(Map<String, String> tags) {
        return tags == null ? new TreeMap<>() : require(List.copyOf(tags.entrySet()));
    }

    /**
     * The tags of a list of key-value pairs as a protocol carries them (an XML tag set, a query
     * string), validated; a key listed twice is refused rather than one of its values kept.
     */
    public static Map<String, String> require(List<Map.Entry<String, String>> pairs) {
        if (pairs.size() > MAX_TAGS) {
            throw invalid("An object has at most " + MAX_TAGS + " tags; " + pairs.size() + " were given.");
        }
        Map<String, String> result = new TreeMap<>();
        for (Map.Entry<String, String> pair : pairs) {
            String key = pair.getKey() == null ? "" : pair.getKey();
            String value = pair.getValue() == null ? "" : pair.getValue();
            if (key.isEmpty() || key.length() > MAX_KEY) {
                throw invalid("A tag key has 1 to " + MAX_KEY + " characters; '" + shortened(key) + "' has " + key.length() + ".");
            }
            if (value.length() > MAX_VALUE) {
                throw invalid("A tag value has at most " + MAX_VALUE + " characters; the value of '" + key + "' has "
                        + value.length() + ".");
            }
            if (!CHARACTERS.matcher(key).matches() || !CHARACTERS.matcher(value).matches()) {
                throw invalid("The tag '" + shortened(key) + "' has a character other than letters, digits, spaces"
                        + " and + - = . _ : / @.");
            }
            if (key.regionMatches(true, 0, "aws:", 0, 4)) {
                throw invalid("Tag keys starting with 'aws:' are reserved.");
            }
            if (result.put(key, value) != null) {
                throw invalid("The tag key '" + key + "' is given more than once.");
            }
        }
        return result;
    }

    private static String shortened(String text) {
        return text.length() <= 40 ? text : text.substring(0, 40) + "...";
    }

    private static GranaryException invalid(String detail) {
        return new GranaryException(ErrorCode.INVALID_TAG, detail);
    }
}
