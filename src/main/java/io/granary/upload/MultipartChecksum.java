package io.granary.upload;

import io.granary.checksum.ChecksumAlgorithm;
import io.granary.object.ObjectChecksum;

/**
 * The checksum a multipart upload's object gets, chosen when it starts: every part is checked
 * and recorded with {@code algorithm}, and on completion the parts' checksums make the object's,
 * of {@code type}.
 *
 * @param type {@link ObjectChecksum.Type#FULL_OBJECT} only for CRCs, whose part values combine
 */
public record MultipartChecksum(ChecksumAlgorithm algorithm, ObjectChecksum.Type type) {

    public MultipartChecksum {
        if (algorithm == null || type == null) {
            throw new IllegalArgumentException("an algorithm and a type");
        }
        if (type == ObjectChecksum.Type.FULL_OBJECT && !algorithm.crc()) {
            throw new IllegalArgumentException(algorithm + " checksums of parts do not make the whole object's");
        }
    }
}
