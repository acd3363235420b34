package io.granary.object;

import io.granary.error.ErrorCode;
import io.granary.error.GranaryException;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Locale;

/**
 * Checksums a client declared for an upload ({@code Content-MD5}, and a SHA-256 in
 * {@code X-Checksum-Sha256} or S3's {@code x-amz-content-sha256}), as lowercase hex; either may
 * be {@code null}.
 *
 * @param sha256Header the header the SHA-256 came in, named when it does not match
 * @param sha256Mismatch what a SHA-256 that does not match is reported as
 */
public record ExpectedDigests(String md5Hex, String sha256Hex, String sha256Header, ErrorCode sha256Mismatch) {

    public static final ExpectedDigests NONE = new ExpectedDigests(null, null, "X-Checksum-Sha256", ErrorCode.BAD_DIGEST);

    /**
     * Parses the header values: {@code Content-MD5} is base64 of 16 bytes; the SHA-256 is 64 hex
     * characters or base64 of 32 bytes. Malformed values are a 400 {@code invalid_digest}.
     */
    public static ExpectedDigests parse(String contentMd5, String sha256) {
        return new ExpectedDigests(
                contentMd5 == null ? null : decode(contentMd5, 16, "Content-MD5"),
                sha256 == null ? null : decode(sha256, 32, "X-Checksum-Sha256"), "X-Checksum-Sha256", ErrorCode.BAD_DIGEST);
    }

    /**
     * An S3 upload's: {@code Content-MD5} as for {@link #parse}, and the payload hash its
     * signature covers ({@code x-amz-content-sha256}, 64 hex characters, or {@code null} when
     * the payload is unsigned), whose mismatch is {@code content_sha256_mismatch}.
     */
    public static ExpectedDigests s3(String contentMd5, String contentSha256Hex) {
        return new ExpectedDigests(contentMd5 == null ? null : decode(contentMd5, 16, "Content-MD5"),
                contentSha256Hex == null ? null : contentSha256Hex.toLowerCase(Locale.ROOT), "x-amz-content-sha256",
                ErrorCode.CONTENT_SHA256_MISMATCH);
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
            throw new GranaryException(sha256Mismatch, "The body's SHA-256 does not match " + sha256Header + ".");
        }
    }
}
