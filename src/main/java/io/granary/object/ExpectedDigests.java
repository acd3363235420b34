package io.granary.object;

import io.granary.error.ErrorCode;
import io.granary.error.GranaryException;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Locale;

/**
 * Checksums a client declared for an upload ({@code Content-MD5}, {@code X-Checksum-Sha256}),
 * as lowercase hex; either may be {@code null}.
 */
public record ExpectedDigests(String md5Hex, String sha256Hex) {

    public static final ExpectedDigests NONE = new ExpectedDigests(null, null);

    /**
     * Parses the header values: {@code Content-MD5} is base64 of 16 bytes; the SHA-256 is 64 hex
     * characters or base64 of 32 bytes. Malformed values are a 400 {@code invalid_digest}.
     */
    public static ExpectedDigests parse(String contentMd5, String sha256) {
        return new ExpectedDigests(
                contentMd5 == null ? null : decode(contentMd5, 16, "Content-MD5"),
                sha256 == null ? null : decode(sha256, 32, "X-Checksum-Sha256"));
    }

    private static String decode(String value, int length, String header) {
        String trimmed = value.strip();
        if (trimmed.length() == length * 2 && trimmed.chars().allMatch(c -> Character.digit(c, 16) >= 0) && !header.equals("Content-MD5")) {
            return trimmed.toLowerCase(Locale.ROOT);
        }
        try {
            byte[] bytes = Base64.getDecoder().decode(trimmed);
            if (bytes.length == length) {
                return HexFormat.of().formatHex(bytes);
            }
        } catch (IllegalArgumentException ignored) {
            // reported below
        }
        throw new GranaryException(ErrorCode.INVALID_DIGEST, header + " must be the base64"
                + (header.equals("Content-MD5") ? "" : " or hex") + " encoding of a " + length + "-byte digest.");
    }

    /** Fails with {@code bad_digest} when the bytes received do not match what was declared. */
    void verify(String actualMd5Hex, String actualSha256Hex) {
        if (md5Hex != null && !md5Hex.equals(actualMd5Hex)) {
            throw new GranaryException(ErrorCode.BAD_DIGEST, "The body's MD5 does not match Content-MD5.");
        }
        if (sha256Hex != null && !sha256Hex.equals(actualSha256Hex)) {
            throw new GranaryException(ErrorCode.BAD_DIGEST, "The body's SHA-256 does not match X-Checksum-Sha256.");
        }
    }
}
