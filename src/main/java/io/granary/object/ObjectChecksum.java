package io.granary.object;

import java.util.List;

/**
 * An object's checksum, as its writer sent it and Granary verified it (S3's
 * {@code x-amz-checksum-*}), kept so a reader can check what it got against what was sent.
 *
 * @param algorithm {@code CRC32}, {@code CRC32C}, {@code CRC64NVME}, {@code SHA1} or {@code SHA256}
 *     ({@link io.granary.checksum.ChecksumAlgorithm}'s names)
 * @param value the checksum in base64, as S3 writes it; a composite one ends with {@code -<parts>}
 * @param type what the value is a checksum of; records written before types were kept are
 *     {@link Type#FULL_OBJECT}
 * @param parts for a {@link Type#COMPOSITE} checksum, each part's checksum in part order (what a
 *     read of one part answers with); {@code null} otherwise
 */
public record ObjectChecksum(String algorithm, String value, Type type, List<String> parts) {

    /** S3's checksum types. */
    public enum Type {
        /** The checksum of the whole object's bytes (an object written whole, or CRCs combined from its parts'). */
        FULL_OBJECT,
        /** The checksum of the checksums of the parts an object was completed from, then {@code -<parts>}. */
        COMPOSITE
    }

    public ObjectChecksum {
        type = type == null ? Type.FULL_OBJECT : type;
        parts = parts == null ? null : List.copyOf(parts);
    }

    /** The checksum of a whole body. */
    public ObjectChecksum(String algorithm, String value) {
        this(algorithm, value, Type.FULL_OBJECT, null);
    }

    /** Part {@code number}'s (from 1) own checksum where this one keeps the parts', else {@code null}. */
    public String partValue(int number) {
        return parts == null || number < 1 || number > parts.size() ? null : parts.get(number - 1);
    }
}
