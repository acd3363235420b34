package io.granary.upload;

import io.granary.error.ErrorCode;
import io.granary.error.GranaryException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import io.netty.handler.codec.DateFormatter;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Parsing of the tus request headers whose syntax is tus's own (numbers, metadata, checksums),
 * and the format of the one date tus answers with.
 */
final class TusHeaders {

    private TusHeaders() {
    }

    /**
     * {@code Upload-Expires}: an IMF-fixdate ({@code Mon, 07 Dec 2026 08:00:00 GMT}, two-digit
     * day) like every other date header Granary sends. Java's RFC 1123 formatter writes the day
     * without its leading zero, which RFC 9110 allows readers to accept but not senders to send.
     */
    static String httpDate(Instant instant) {
        return DateFormatter.format(Date.from(instant));
    }

    /** A non-negative decimal header, or {@code null} when absent; 400 {@code invalid_request} when malformed. */
    static Long number(String name, String value) {
        if (value == null) {
            return null;
        }
        try {
            long parsed = Long.parseLong(value.trim());
            if (parsed >= 0) {
                return parsed;
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw new GranaryException(ErrorCode.INVALID_REQUEST, name + " must be a non-negative integer, not '" + value + "'.");
    }

    /**
     * {@code Upload-Metadata}: comma-separated {@code key base64value} pairs (the value may be
     * absent), decoded as UTF-8; 400 {@code invalid_metadata} when malformed.
     */
    static Map<String, String> metadata(String header) {
        Map<String, String> pairs = new LinkedHashMap<>();
        if (header == null || header.isBlank()) {
            return pairs;
        }
        for (String pair : header.split(",")) {
            String[] parts = pair.trim().split(" ", -1);
            if (parts.length > 2 || parts[0].isEmpty() || pairs.containsKey(parts[0])) {
                throw new GranaryException(ErrorCode.INVALID_METADATA,
                        "Upload-Metadata must be comma-separated 'key base64value' pairs with unique keys.");
            }
            try {
                pairs.put(parts[0], parts.length == 2
                        ? new String(Base64.getDecoder().decode(parts[1]), StandardCharsets.UTF_8) : "");
            } catch (IllegalArgumentException e) {
                throw new GranaryException(ErrorCode.INVALID_METADATA, "The Upload-Metadata value of '" + parts[0]
                        + "' is not base64.");
            }
        }
        return pairs;
    }

    /** A parsed {@code Upload-Checksum}: the algorithm's digest and the expected value. */
    record Checksum(String algorithm, byte[] expected) {

        MessageDigest newDigest() {
            try {
                return MessageDigest.getInstance(algorithm.equals("sha1") ? "SHA-1" : "SHA-256");
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException("SHA-1 and SHA-256 are required of every JVM", e);
            }
        }
    }

    /**
     * {@code Upload-Checksum: <algorithm> <base64 digest>}, or {@code null} when absent: 400
     * {@code checksum_algorithm_unsupported} for an algorithm other than sha1 and sha256, 400
     * {@code invalid_digest} when malformed.
     */
    static Checksum checksum(String header) {
        if (header == null) {
            return null;
        }
        String[] parts = header.trim().split(" ");
        if (parts.length != 2) {
            throw new GranaryException(ErrorCode.INVALID_DIGEST, "Upload-Checksum must be '<algorithm> <base64 digest>'.");
        }
        String algorithm = parts[0].toLowerCase(Locale.ROOT);
        if (!algorithm.equals("sha1") && !algorithm.equals("sha256")) {
            throw new GranaryException(ErrorCode.CHECKSUM_ALGORITHM_UNSUPPORTED,
                    "Upload-Checksum algorithm '" + parts[0] + "' is not supported; use sha1 or sha256.");
        }
        byte[] expected;
        try {
            expected = Base64.getDecoder().decode(parts[1]);
        } catch (IllegalArgumentException e) {
            throw new GranaryException(ErrorCode.INVALID_DIGEST, "The Upload-Checksum digest is not base64.");
        }
        if (expected.length != (algorithm.equals("sha1") ? 20 : 32)) {
            throw new GranaryException(ErrorCode.INVALID_DIGEST, "The Upload-Checksum digest has the wrong length for "
                    + algorithm + ".");
        }
        return new Checksum(algorithm, expected);
    }
}
