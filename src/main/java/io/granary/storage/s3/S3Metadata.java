package io.granary.storage.s3;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Makes blob metadata safe to send as S3 user metadata ({@code x-amz-meta-*} headers). Header
 * values are US-ASCII, so a value with any other character (a logical key such as
 * {@code résumé.pdf}) or with edge whitespace (which HTTP would strip) is sent RFC 2047-encoded
 * ({@code =?UTF-8?B?...?=}), the form S3 documents for non-ASCII metadata.
 */
final class S3Metadata {

    private S3Metadata() {
    }

    static Map<String, String> encode(Map<String, String> metadata) {
        if (metadata == null || metadata.isEmpty()) {
            return Map.of();
        }
        Map<String, String> encoded = new LinkedHashMap<>();
        metadata.forEach((name, value) -> encoded.put(name, value == null ? "" : encodeValue(value)));
        return encoded;
    }

    static String encodeValue(String value) {
        if (isPlainAscii(value)) {
            return value;
        }
        return "=?UTF-8?B?" + Base64.getEncoder().encodeToString(value.getBytes(StandardCharsets.UTF_8)) + "?=";
    }

    /** The inverse of {@link #encodeValue}, for values read back from the store. */
    static String decodeValue(String value) {
        if (value != null && value.startsWith("=?UTF-8?B?") && value.endsWith("?=")) {
            byte[] bytes = Base64.getDecoder().decode(value.substring(10, value.length() - 2));
            return new String(bytes, StandardCharsets.UTF_8);
        }
        return value;
    }

    private static boolean isPlainAscii(String value) {
        if (value.isEmpty()) {
            return true;
        }
        if (value.charAt(0) == ' ' || value.charAt(value.length() - 1) == ' ' || value.startsWith("=?")) {
            return false;
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c < 0x20 || c > 0x7e) {
                return false;
            }
        }
        return true;
    }
}
