package io.granary.object;

import io.granary.error.ErrorCode;
import io.granary.error.GranaryException;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * The object-key rules: valid UTF-8 of 1 to 1024 bytes, no control characters (NUL included),
 * no backslash, no leading {@code /}, and no {@code .} or {@code ..} segment. Keys never become
 * file names (blob paths are built from ids), but these rules keep keys portable to every
 * client and store.
 */
public final class ObjectKeys {

    static final int MAX_BYTES = 1024;

    private ObjectKeys() {
    }

    /** Validates a decoded key and returns it. */
    public static String require(String key) {
        if (key == null || key.isEmpty()) {
            throw invalid("the key is empty");
        }
        if (key.getBytes(StandardCharsets.UTF_8).length > MAX_BYTES) {
            throw invalid("the key is longer than " + MAX_BYTES + " bytes of UTF-8");
        }
        for (int i = 0; i < key.length(); i++) {
            char c = key.charAt(i);
            if (Character.isISOControl(c)) {
                throw invalid("the key contains a control character");
            }
            if (Character.isSurrogate(c) && !(Character.isHighSurrogate(c) && i + 1 < key.length()
                    && Character.isLowSurrogate(key.charAt(i + 1)) && i++ >= 0)) {
                throw invalid("the key is not valid Unicode");
            }
        }
        if (key.indexOf('\\') >= 0) {
            throw invalid("the key contains a backslash");
        }
        if (key.startsWith("/")) {
            throw invalid("the key starts with '/'");
        }
        for (String segment : key.split("/", -1)) {
            if (segment.equals(".") || segment.equals("..")) {
                throw invalid("the key has a '.' or '..' segment");
            }
        }
        return key;
    }

    /**
     * Decodes a percent-encoded key taken raw from a URL path, rejecting malformed escapes and
     * byte sequences that are not UTF-8 (rather than silently replacing them).
     */
    public static String fromRawPath(String raw) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(raw.length());
        for (int i = 0; i < raw.length(); i++) {
            char c = raw.charAt(i);
            if (c == '%') {
                if (i + 2 >= raw.length()) {
                    throw invalid("the key has a malformed percent-escape");
                }
                int high = Character.digit(raw.charAt(i + 1), 16);
                int low = Character.digit(raw.charAt(i + 2), 16);
                if (high < 0 || low < 0) {
                    throw invalid("the key has a malformed percent-escape");
                }
                bytes.write(high << 4 | low);
                i += 2;
            } else {
                byte[] encoded = String.valueOf(c).getBytes(StandardCharsets.UTF_8);
                bytes.write(encoded, 0, encoded.length);
            }
        }
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes.toByteArray()))
                    .toString();
        } catch (CharacterCodingException e) {
            throw invalid("the key is not valid UTF-8");
        }
    }

    private static GranaryException invalid(String why) {
        return new GranaryException(ErrorCode.INVALID_KEY, "Invalid object key: " + why + ".");
    }
}
