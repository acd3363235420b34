package io.granary.upload;

import io.granary.checksum.Checksum;
import io.granary.object.ObjectChecksum;
import java.util.Map;

/**
 * What a completion request says of checksums ({@link MultipartService#complete(io.granary.security.Principal,
 * String, String, java.util.List, CompletionChecksums)}), each optional, each checked before
 * anything is joined.
 *
 * @param parts the checksum the request lists for each part, by part number; each must be the
 *     part's recorded one
 * @param whole the checksum the request expects the object to get
 * @param type the checksum type the request expects the upload to have been started with
 * @param listed whether the front-end lists part checksums at all (S3 does): then an upload whose
 *     object's checksum is made of its parts' ({@code COMPOSITE}) needs every part listed with its
 *     checksum, and a part whose checksum Granary never saw is refused rather than leaving the
 *     object without one
 */
public record CompletionChecksums(Map<Integer, Checksum> parts, Checksum whole, ObjectChecksum.Type type, boolean listed) {

    /** A completion that says nothing of checksums (the REST API's): the object gets one where its parts allow. */
    public static final CompletionChecksums NONE = new CompletionChecksums(Map.of(), null, null, false);

    public CompletionChecksums {
        parts = parts == null ? Map.of() : Map.copyOf(parts);
    }
}
