package io.granary.s3api;

import io.granary.checksum.Checksum;
import io.granary.checksum.ChecksumAlgorithm;
import io.granary.checksum.RunningChecksum;
import io.granary.error.ErrorCode;
import io.granary.error.GranaryException;
import io.granary.object.ObjectChecksum;
import java.nio.ByteBuffer;
import java.util.Locale;
import java.util.Optional;

/**
 * An {@code x-amz-checksum-<algorithm>} of a payload, announced in a header (a whole body's, or
 * a DeleteObjects document's) or in {@code x-amz-trailer} (an aws-chunked body's, sent after
 * it), computed with the AWS SDK's own implementations and compared with the base64 value.
 */
final class PayloadChecksum {

    /** What every checksum header's name starts with; the algorithm's name follows. */
    static final String PREFIX = "x-amz-checksum-";

    private final String header;
    private final RunningChecksum checksum;
    private volatile String verified;

    private PayloadChecksum(String header, RunningChecksum checksum) {
        this.header = header;
        this.checksum = checksum;
    }

    /** The checksum named by {@code trailerHeader} (a header name); {@code null} for none. */
    static PayloadChecksum announced(String trailerHeader) {
        if (trailerHeader == null || trailerHeader.isBlank()) {
            return null;
        }
        String header = trailerHeader.strip().toLowerCase(Locale.ROOT);
        ChecksumAlgorithm algorithm = (header.startsWith(PREFIX) ? ChecksumAlgorithm.named(header.substring(PREFIX.length()))
                : Optional.<ChecksumAlgorithm>empty())
                .orElseThrow(() -> new GranaryException(ErrorCode.INVALID_REQUEST, "The trailer '" + trailerHeader
                        + "' is not one Granary knows (x-amz-checksum-crc32, -crc32c, -crc64nvme, -sha1, -sha256)."));
        return new PayloadChecksum(header, algorithm.start());
    }

    /**
     * Loads the CRT's native library (CRC64NVME) now, on the starting thread: loading it copies a
     * shared library to a temporary file, blocking work that must not happen on the event loop
     * serving the first request that asks for it. Where it cannot load, CRC64NVME stays refused.
     */
    static void loadNativeCode() {
        try {
            ChecksumAlgorithm.CRC64NVME.start();
        } catch (RuntimeException unavailable) {
            // Answered per request, as NotImplemented, by start() itself.
        }
    }

    /** The header carrying a checksum of {@code algorithm}: {@code x-amz-checksum-crc32} and so on. */
    static String header(ChecksumAlgorithm algorithm) {
        return PREFIX + algorithm.name().toLowerCase(Locale.ROOT);
    }

    /** The header carrying a checksum of the algorithm named so ({@code CRC32}...). */
    static String header(String algorithm) {
        return PREFIX + algorithm.toLowerCase(Locale.ROOT);
    }

    String header() {
        return header;
    }

    ChecksumAlgorithm algorithm() {
        return checksum.algorithm();
    }

    void update(ByteBuffer bytes) {
        checksum.update(bytes);
    }

    /** Fails with {@code BadDigest} unless {@code base64} is the checksum of everything updated. */
    void verify(String base64) {
        String actual = checksum.base64();
        if (!actual.equals(base64)) {
            throw new GranaryException(ErrorCode.BAD_DIGEST, "The " + header + " value (" + base64
                    + ") does not match the body's (" + actual + "); nothing was stored.");
        }
        verified = actual;
    }

    /** The checksum {@link #verify} found the body to have, or {@code null} before it did. */
    Checksum verified() {
        String value = verified;
        return value == null ? null : new Checksum(algorithm(), value);
    }

    /** As {@link #verified}, as a whole object's checksum. */
    ObjectChecksum verifiedWhole() {
        Checksum value = verified();
        return value == null ? null : new ObjectChecksum(value.algorithm().name(), value.value());
    }
}
