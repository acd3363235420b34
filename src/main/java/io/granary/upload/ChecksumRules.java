package io.granary.upload;

import io.granary.checksum.Checksum;
import io.granary.checksum.ChecksumAlgorithm;
import io.granary.checksum.MultipartChecksums;
import io.granary.checksum.RunningChecksum;
import io.granary.error.ErrorCode;
import io.granary.error.GranaryException;
import io.granary.object.ObjectChecksum;
import io.granary.storage.StoredPart;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Supplier;
import org.springframework.core.io.buffer.DataBuffer;
import reactor.core.publisher.Flux;

/**
 * The checksum rules of an upload started with a {@link MultipartChecksum}, as S3 has them: a
 * part is checked before any byte is stored ({@link #forPart}), and the object's checksum is
 * made from the parts' on completion ({@link #forObject}), before anything is joined. Refusals
 * are {@code invalid_request} for a request that does not fit the upload's choice,
 * {@code invalid_part} for a listed part checksum that is not the part's, {@code bad_digest}
 * for an expected object checksum that is not the object's.
 */
final class ChecksumRules {

    private ChecksumRules() {
    }

    /** How a part's checksum is found: from what was sent, computed here, or not at all. */
    record ForPart(RunningChecksum computed, Supplier<Checksum> result) {

        static final ForPart NONE = new ForPart(null, () -> null);

        /** {@code body}, passing through the computed checksum where there is one. */
        Flux<DataBuffer> observe(Flux<DataBuffer> body) {
            return computed == null ? body : body.doOnNext(computed::update);
        }
    }

    /** What a part's checksum will be, given its upload's {@code choice}; refuses a part that does not fit it. */
    static ForPart forPart(MultipartChecksum choice, PartChecksum sent) {
        if (choice == null) {
            // Checked as it streamed, but the object will have no checksum to make of it.
            return ForPart.NONE;
        }
        ChecksumAlgorithm algorithm = choice.algorithm();
        if (sent.declared() != null && sent.declared() != algorithm) {
            throw new GranaryException(ErrorCode.INVALID_REQUEST, "Checksum type mismatch: the upload was started with "
                    + algorithm + " checksums, and this part was sent with a " + sent.declared() + " one.");
        }
        if (sent.declared() != null) {
            return new ForPart(null, sent.verified());
        }
        if (choice.type() == ObjectChecksum.Type.COMPOSITE && !sent.computable()) {
            throw new GranaryException(ErrorCode.INVALID_REQUEST, "Checksum type mismatch: the upload was started with "
                    + algorithm + " checksums of type COMPOSITE, and this part was sent without one; send the part's "
                    + algorithm + " checksum with it.");
        }
        RunningChecksum computed = algorithm.start();
        return new ForPart(computed, computed::result);
    }

    /**
     * The object's checksum from the {@code chosen} parts (in order) of an upload started with
     * {@code choice}, checked against what the completion request {@code says}; {@code null} when
     * the upload has no checksum, or (for a front-end not listing part checksums) a part's is unknown.
     */
    static ObjectChecksum forObject(MultipartChecksum choice, List<StoredPart> chosen, CompletionChecksums says) {
        if (choice == null) {
            if (says.type() != null || says.whole() != null) {
                throw new GranaryException(ErrorCode.INVALID_REQUEST, "The upload was started without a checksum algorithm,"
                        + " so its object has no checksum to check.");
            }
            // Part checksums listed anyway (SDKs list what UploadPart answered) have nothing to be checked against.
            return null;
        }
        ChecksumAlgorithm algorithm = choice.algorithm();
        if (says.type() != null && says.type() != choice.type()) {
            throw new GranaryException(ErrorCode.INVALID_REQUEST, "The upload was created using the " + choice.type()
                    + " checksum mode. The complete request must use the same checksum mode.");
        }
        if (says.whole() != null && says.whole().algorithm() != algorithm) {
            throw new GranaryException(ErrorCode.INVALID_REQUEST, "The upload was started with " + algorithm
                    + " checksums; the request expects a " + says.whole().algorithm() + " one.");
        }
        List<String> values = new ArrayList<>(chosen.size());
        for (StoredPart part : chosen) {
            String value = partValue(choice, part, says);
            if (value == null) {
                return null;
            }
            values.add(value);
        }
        boolean composite = choice.type() == ObjectChecksum.Type.COMPOSITE;
        String value = composite ? MultipartChecksums.composite(algorithm, values)
                : MultipartChecksums.fullObject(algorithm, values, chosen.stream().map(StoredPart::size).toList());
        if (says.whole() != null && !value.equals(says.whole().value())
                && !(composite && value.equals(says.whole().value() + "-" + values.size()))) {
            throw new GranaryException(ErrorCode.BAD_DIGEST, "The object's " + algorithm + " checksum would be " + value
                    + ", not " + says.whole().value() + " as expected; nothing was completed.");
        }
        return new ObjectChecksum(algorithm.name(), value, choice.type(), composite ? values : null);
    }

    /** A part's recorded checksum, checked against the listed one; {@code null} when unknown and that may be. */
    private static String partValue(MultipartChecksum choice, StoredPart part, CompletionChecksums says) {
        ChecksumAlgorithm algorithm = choice.algorithm();
        Checksum listed = says.parts().get(part.number());
        if (listed != null && listed.algorithm() != algorithm) {
            throw new GranaryException(ErrorCode.INVALID_REQUEST, "Part " + part.number() + " is listed with a "
                    + listed.algorithm() + " checksum; the upload was started with " + algorithm + " checksums.");
        }
        if (listed == null && says.listed() && choice.type() == ObjectChecksum.Type.COMPOSITE) {
            throw new GranaryException(ErrorCode.INVALID_REQUEST, "The upload was created using a "
                    + algorithm.name().toLowerCase(Locale.ROOT) + " checksum. The complete request must include the checksum"
                    + " for each part. It was missing for part " + part.number() + " in the request.");
        }
        Checksum recorded = part.checksum();
        if (recorded == null || recorded.algorithm() != algorithm) {
            if (says.listed()) {
                throw new GranaryException(ErrorCode.INVALID_PART, "Part " + part.number() + " has no " + algorithm
                        + " checksum recorded (its bytes did not pass through Granary); upload it again.");
            }
            return null;
        }
        if (listed != null && !listed.value().equals(recorded.value())) {
            throw new GranaryException(ErrorCode.INVALID_PART, "Part " + part.number() + " has the " + algorithm
                    + " checksum " + recorded.value() + ", not " + listed.value() + ".");
        }
        return recorded.value();
    }
}
