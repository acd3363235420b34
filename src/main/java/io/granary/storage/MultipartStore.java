package io.granary.storage;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.springframework.core.io.buffer.DataBuffer;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The port for assembling one blob from separately uploaded parts (S3's multipart upload).
 * Every operation names the blob's final {@code target} and the store's own upload id that
 * {@link #createMultipart} returned. Parts are invisible: nothing appears at {@code target}
 * before {@link #completeMultipart} succeeds, and then all of it at once.
 *
 * <p>Who knows the parts: where {@link #tracksParts()} is true (S3) the store does, and
 * {@link #listParts} is the truth, including parts sent through presigned URLs. Where it is
 * false (local disk) the caller must record what {@link #uploadPart} returned: each call writes
 * a separate copy of the part, the caller's record says which one counts, and the caller
 * discards superseded copies with {@link #discardPart}.
 *
 * <p>Failures are {@link io.granary.error.GranaryException}s: {@code upload_not_found} for an
 * unknown or finished upload, {@code invalid_part} when completion names a part the store does
 * not hold with that ETag, otherwise as {@link BlobStore} documents.
 */
public interface MultipartStore {

    /** Starts a multipart upload that will become the blob at {@code target}; returns the store's upload id. */
    Mono<String> createMultipart(BlobLocation target, Map<String, String> metadata);

    /**
     * Streams one part of exactly {@code length} bytes ({@code incomplete_body} otherwise).
     * Uploading a part number again replaces the part (on completion). Every buffer of
     * {@code body} is released; on error nothing of this write is kept.
     */
    Mono<StoredPart> uploadPart(BlobLocation target, String uploadId, int partNumber, Flux<DataBuffer> body, long length);

    /** Whether the store itself tracks the parts, see the class comment. */
    boolean tracksParts();

    /** The parts the store holds, ascending; only where {@link #tracksParts()}. */
    Flux<StoredPart> listParts(BlobLocation target, String uploadId);

    /**
     * Makes {@code parts} (ascending) the blob at {@code target}, their bytes in order, and ends
     * the upload; anything else uploaded for it is freed.
     */
    Mono<Void> completeMultipart(BlobLocation target, String uploadId, List<StoredPart> parts);

    /** Ends the upload and frees every part; completes normally when it is already gone. */
    Mono<Void> abortMultipart(BlobLocation target, String uploadId);

    /**
     * Aborts every multipart upload this store holds for Granary that was started before
     * {@code startedBefore}, freeing its parts, whether or not anything records it; completes
     * with how many. For the sweeper: an upload whose node died between starting it here and
     * recording it has no record that could ever end it.
     */
    Mono<Long> abortStartedBefore(Instant startedBefore);

    /** Frees one superseded copy of a part that {@link #uploadPart} wrote (no-op where the store tracks parts). */
    Mono<Void> discardPart(BlobLocation target, String uploadId, StoredPart part);

    /**
     * A URL at which a client uploads part {@code partNumber} straight into the store for
     * {@code ttl} (one {@code PUT} with the headers given); empty where the store has none.
     */
    default Mono<PresignedPut> presignPart(BlobLocation target, String uploadId, int partNumber, Duration ttl) {
        return Mono.empty();
    }
}
