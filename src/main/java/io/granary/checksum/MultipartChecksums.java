package io.granary.checksum;

import java.nio.ByteBuffer;
import java.util.Base64;
import java.util.List;

/**
 * An object's checksum from the checksums of the parts it was assembled from, as S3 defines the
 * two kinds: {@link #composite} (a checksum of the parts' checksums) and {@link #fullObject} (the
 * checksum of the whole object, for CRCs).
 */
public final class MultipartChecksums {

    private MultipartChecksums() {
    }

    /**
     * S3's composite checksum: the algorithm over the parts' checksums (decoded, one after
     * another, in part order), in base64, then {@code -<number of parts>}.
     *
     * @param parts the parts' checksums in base64, in part order, at least one
     */
    public static String composite(ChecksumAlgorithm algorithm, List<String> parts) {
        RunningChecksum ofParts = algorithm.start();
        for (String part : parts) {
            ofParts.update(Base64.getDecoder().decode(part));
        }
        return ofParts.base64() + "-" + parts.size();
    }

    /**
     * The CRC of the whole object, combined from its parts' CRCs and sizes without reading a byte.
     *
     * @param parts the parts' CRCs in base64, in part order, at least one
     * @param sizes the parts' sizes in bytes, in the same order
     * @throws IllegalArgumentException for an algorithm that is not a CRC, or a value of the wrong length
     */
    public static String fullObject(ChecksumAlgorithm algorithm, List<String> parts, List<Long> sizes) {
        CrcCombine combine = switch (algorithm) {
            case CRC32 -> CrcCombine.CRC32;
            case CRC32C -> CrcCombine.CRC32C;
            case CRC64NVME -> CrcCombine.CRC64NVME;
            default -> throw new IllegalArgumentException(algorithm + " checksums do not combine");
        };
        int width = algorithm == ChecksumAlgorithm.CRC64NVME ? 8 : 4;
        long crc = decode(parts.get(0), width);
        for (int i = 1; i < parts.size(); i++) {
            crc = combine.combine(crc, decode(parts.get(i), width), sizes.get(i));
        }
        ByteBuffer bytes = ByteBuffer.allocate(width);
        if (width == 8) {
            bytes.putLong(crc);
        } else {
            bytes.putInt((int) crc);
        }
        return Base64.getEncoder().encodeToString(bytes.array());
    }

    /** A CRC's base64 value (big-endian bytes) as an unsigned number. */
    private static long decode(String base64, int width) {
        byte[] bytes = Base64.getDecoder().decode(base64);
        if (bytes.length != width) {
            throw new IllegalArgumentException("a " + width + "-byte CRC, not " + bytes.length + " bytes");
        }
        return width == 8 ? ByteBuffer.wrap(bytes).getLong() : Integer.toUnsignedLong(ByteBuffer.wrap(bytes).getInt());
    }
}
