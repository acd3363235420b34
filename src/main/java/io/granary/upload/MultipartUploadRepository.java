package io.granary.upload;

import io.granary.storage.StoredPart;
import java.time.Instant;
import java.util.List;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Storage port for multipart uploads. Every change is one conditional single-document update,
 * so concurrent part uploads, completions, aborts and sweeps on any number of nodes agree.
 */
public interface MultipartUploadRepository {

    Mono<MultipartUpload> insert(MultipartUpload upload);

    Mono<MultipartUpload> find(String id);

    /**
     * Records {@code part} as part {@code part.number()} if the upload is open. Completes with
     * the upload as it was before (to tell which earlier write was replaced), or empty when it
     * is not open any more.
     */
    Mono<MultipartUpload> recordPart(String id, StoredPart part);

    /**
     * Moves the upload from {@code from} to {@code to} if it is in {@code from}; sets
     * {@code completedWith} (null clears it), {@code etag} and {@code rejection} as given and,
     * when {@code dropParts}, forgets the parts. Completes with the updated upload, or empty
     * when it was not in {@code from}.
     */
    Mono<MultipartUpload> transition(String id, MultipartUpload.State from, MultipartUpload.State to, Instant at,
                                     List<PartRef> completedWith, String etag, String rejection, boolean dropParts);

    /**
     * Where a listing of a bucket's open uploads resumes, in their order (key, then creation
     * time, then id): without {@code createdAt}, at {@code key} ({@code inclusive}) or just after
     * every upload of it; with {@code createdAt} and {@code id}, just after that upload of
     * {@code key}.
     */
    record After(String key, boolean inclusive, Instant createdAt, String id) {

        static After key(String key, boolean inclusive) {
            return new After(key, inclusive, null, null);
        }

        static After upload(MultipartUpload upload) {
            return new After(upload.upload().key(), false, upload.createdAt(), upload.id());
        }
    }

    /**
     * Up to {@code limit} open uploads of a bucket whose keys start with {@code prefix}, from
     * {@code from} (the start when {@code null}), ordered by key, creation time and id. One
     * bounded query on an index, never a scan of the bucket's uploads.
     */
    Flux<MultipartUpload> openPage(String tenantId, String bucketId, String prefix, After from, int limit);

    /** Uploads in {@code state} since before {@code cutoff} (by their last state change). */
    Flux<MultipartUpload> inStateSince(MultipartUpload.State state, Instant cutoff);

    /** Open uploads created before {@code cutoff}. */
    Flux<MultipartUpload> openSince(Instant cutoff);

    Mono<Void> remove(String id);
}
