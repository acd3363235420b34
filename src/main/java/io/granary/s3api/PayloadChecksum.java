package io.granary.s3api;

import io.granary.error.ErrorCode;
import io.granary.error.GranaryException;
import io.granary.object.ObjectChecksum;
import java.nio.ByteBuffer;
import java.util.Base64;
import java.util.Locale;
import software.amazon.awssdk.checksums.DefaultChecksumAlgorithm;
import software.amazon.awssdk.checksums.SdkChecksum;
import software.amazon.awssdk.checksums.spi.ChecksumAlgorithm;

/**
 * An {@code x-amz-checksum-<algorithm>} of a payload, announced in a header (a whole body's, or
 * a DeleteObjects document's) or in {@code x-amz-trailer} (an aws-chunked body's, sent after
 * it), computed with the AWS SDK's own implementations and compared with the base64 value.
 */
final class PayloadChecksum {

    /** What every checksum header's name starts with; the algorithm's name follows. */
    static final String PREFIX = "x-amz-checksum-";

    private final String header;
    private final SdkChecksum checksum;
    private volatile String verified;

    private PayloadChecksum(String header, SdkChecksum checksum) {
        this.header = header;
        this.checksum = checksum;
    }

    /** The checksum named by {@code trailerHeader} (a header name); {@code null} for none. */
    static PayloadChecksum announced(String trailerHeader) {
        if (trailerHeader == null || trailerHeader.isBlank()) {
            return null;
        }
        String header = trailerHeader.strip().toLowerCase(Locale.ROOT);
        ChecksumAlgorithm algorithm = switch (header) {
            case "x-amz-checksum-crc32" -> DefaultChecksumAlgorithm.CRC32;
            case "x-amz-checksum-crc32c" -> DefaultChecksumAlgorithm.CRC32C;
            case "x-amz-checksum-crc64nvme" -> DefaultChecksumAlgorithm.CRC64NVME;
            case "x-amz-checksum-sha1" -> DefaultChecksumAlgorithm.SHA1;
            case "x-amz-checksum-sha256" -> DefaultChecksumAlgorithm.SHA256;
            default -> throw new GranaryException(ErrorCode.INVALID_REQUEST, "The trailer '" + trailerHeader
                    + "' is not one Granary knows (x-amz-checksum-crc32, -crc32c, -crc64nvme, -sha1, -sha256).");
        };
        // CRC64NVME comes from the AWS CRT, a dependency: the SDK finds it on the class path.
        return new PayloadChecksum(header, SdkChecksum.forAlgorithm(algorithm));
    }

    /**
     * Loads the CRT's native library (CRC64NVME) now, on the starting thread: loading it copies a
     * shared library to a temporary file, blocking work that must not happen on the event loop
     * serving the first request that asks for it.
     */
    static void loadNativeCode() {
        SdkChecksum.forAlgorithm(DefaultChecksumAlgorithm.CRC64NVME);
    }

    String header() {
        return header;
    }

    void update(ByteBuffer bytes) {
        checksum.update(bytes);
    }

    /** Fails with {@code BadDigest} unless {@code base64} is the checksum of everything updated. */
    void verify(String base64) {
        String actual = Base64.getEncoder().encodeToString(checksum.getChecksumBytes());
        if (!actual.equals(base64)) {
            throw new GranaryException(ErrorCode.BAD_DIGEST, "The " + header + " value (" + base64
                    + ") does not match the body's (" + actual + "); nothing was stored.");
        }
        verified = actual;
    }

    /** The checksum {@link #verify} found the body to have, or {@code null} before it did. */
    ObjectChecksum verified() {
        String value = verified;
        return value == null ? null : new ObjectChecksum(header.substring(PREFIX.length()).toUpperCase(Locale.ROOT), value);
    }
}
