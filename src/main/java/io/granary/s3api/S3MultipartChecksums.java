package io.granary.s3api;

import io.granary.checksum.Checksum;
import io.granary.checksum.ChecksumAlgorithm;
import io.granary.error.ErrorCode;
import io.granary.error.GranaryException;
import io.granary.object.ObjectChecksum;
import io.granary.upload.CompletionChecksums;
import io.granary.upload.MultipartChecksum;
import java.util.Locale;
import java.util.Map;
import org.springframework.http.HttpHeaders;

/**
 * S3's vocabulary for the checksums of multipart uploads: CreateMultipartUpload's
 * {@code x-amz-checksum-algorithm} and {@code x-amz-checksum-type}, the {@code <ChecksumCRC32>}
 * (and so on) elements of parts and results, and CompleteMultipartUpload's headers. The rules
 * themselves are the multipart service's.
 */
final class S3MultipartChecksums {

    static final String ALGORITHM_HEADER = "x-amz-checksum-algorithm";
    static final String TYPE_HEADER = "x-amz-checksum-type";

    private S3MultipartChecksums() {
    }

    /**
     * The checksum a CreateMultipartUpload chooses, or {@code null} for none; {@code InvalidRequest}
     * for a choice S3 refuses. Without a type, CRC64NVME is {@code FULL_OBJECT} (its only type)
     * and every other algorithm {@code COMPOSITE}, as S3 defaults them.
     */
    static MultipartChecksum fromCreate(HttpHeaders headers) {
        String algorithmName = headers.getFirst(ALGORITHM_HEADER);
        String typeName = headers.getFirst(TYPE_HEADER);
        if (algorithmName == null) {
            if (typeName != null) {
                throw invalid("The " + TYPE_HEADER + " header can only be used with the " + ALGORITHM_HEADER + " header.");
            }
            return null;
        }
        ChecksumAlgorithm algorithm = ChecksumAlgorithm.named(algorithmName).orElseThrow(() -> invalid(
                "Checksum algorithm provided is unsupported. Please try again with any of the valid types: "
                        + "[CRC32, CRC32C, CRC64NVME, SHA1, SHA256]"));
        ObjectChecksum.Type type = typeName == null
                ? (algorithm == ChecksumAlgorithm.CRC64NVME ? ObjectChecksum.Type.FULL_OBJECT : ObjectChecksum.Type.COMPOSITE)
                : type(typeName);
        if (type == ObjectChecksum.Type.FULL_OBJECT && !algorithm.crc()
                || type == ObjectChecksum.Type.COMPOSITE && algorithm == ChecksumAlgorithm.CRC64NVME) {
            throw invalid("The " + type + " checksum type cannot be used with the " + algorithm.name().toLowerCase(Locale.ROOT)
                    + " checksum algorithm.");
        }
        return new MultipartChecksum(algorithm, type);
    }

    /** What a CompleteMultipartUpload says of checksums: its parts' ({@code listed}) and its headers. */
    static CompletionChecksums fromComplete(HttpHeaders headers, Map<Integer, Checksum> listed) {
        String typeName = headers.getFirst(TYPE_HEADER);
        Checksum whole = null;
        for (ChecksumAlgorithm algorithm : ChecksumAlgorithm.values()) {
            String value = headers.getFirst(PayloadChecksum.header(algorithm));
            if (value != null) {
                if (whole != null) {
                    throw invalid("Expecting a single x-amz-checksum- header. Multiple checksum Types are not allowed.");
                }
                whole = new Checksum(algorithm, value.strip());
            }
        }
        return new CompletionChecksums(listed, whole, typeName == null ? null : type(typeName), true);
    }

    /** CreateMultipartUpload's answer headers naming the choice, as S3 echoes them. */
    static void echo(HttpHeaders response, MultipartChecksum checksum) {
        if (checksum != null) {
            response.set(ALGORITHM_HEADER, checksum.algorithm().name());
            response.set(TYPE_HEADER, checksum.type().name());
        }
    }

    /** {@code <ChecksumAlgorithm>} and {@code <ChecksumType>}, as ListParts and ListMultipartUploads name an upload's choice. */
    static void describe(S3Xml xml, MultipartChecksum checksum) {
        if (checksum != null) {
            xml.element("ChecksumAlgorithm", checksum.algorithm().name()).element("ChecksumType", checksum.type().name());
        }
    }

    /** {@code <ChecksumCRC32>value</ChecksumCRC32>} and the like; nothing for {@code null}. */
    static void element(S3Xml xml, Checksum checksum) {
        if (checksum != null) {
            xml.element(element(checksum.algorithm()), checksum.value());
        }
    }

    /** The element carrying a checksum of {@code algorithm}: {@code ChecksumCRC32} and so on. */
    static String element(ChecksumAlgorithm algorithm) {
        return "Checksum" + algorithm.name();
    }

    /** The algorithm whose checksum an element of this name carries, or {@code null}. */
    static ChecksumAlgorithm elementAlgorithm(String element) {
        return element.startsWith("Checksum") ? ChecksumAlgorithm.named(element.substring("Checksum".length()))
                .filter(algorithm -> element.equals(element(algorithm))).orElse(null) : null;
    }

    private static ObjectChecksum.Type type(String name) {
        try {
            return ObjectChecksum.Type.valueOf(name.strip());
        } catch (IllegalArgumentException e) {
            throw invalid("Value for " + TYPE_HEADER + " header is invalid.");
        }
    }

    private static GranaryException invalid(String message) {
        return new GranaryException(ErrorCode.INVALID_REQUEST, message);
    }
}
