package io.granary.upload;

import io.granary.checksum.Checksum;
import io.granary.checksum.ChecksumAlgorithm;
import java.util.function.Supplier;

/**
 * What a front-end knows of a part's checksum as the part's bytes arrive
 * ({@link MultipartService#uploadPart(io.granary.security.Principal, String, String, int, Long,
 * reactor.core.publisher.Flux, PartChecksum)}). The service records a part's checksum only for
 * an upload started with one ({@link MultipartChecksum}), and then in that upload's algorithm.
 *
 * @param declared the algorithm of the checksum the sender sent with the part, which the
 *     front-end checks against the bytes as they stream; {@code null} when none was sent
 * @param verified the sent checksum, once the body has ended and matched it ({@code null} before,
 *     or when none was sent)
 * @param computable whether Granary may compute the part's checksum itself when none was sent:
 *     yes for bytes that come from elsewhere (a copied object) or through an API without part
 *     checksums; no for a client that could have sent one, which an upload whose object's checksum
 *     is made of its parts' ({@code COMPOSITE}) must
 */
public record PartChecksum(ChecksumAlgorithm declared, Supplier<Checksum> verified, boolean computable) {

    /** Nothing sent: Granary computes the part's checksum where its upload has an algorithm. */
    public static final PartChecksum COMPUTED = new PartChecksum(null, () -> null, true);
}
