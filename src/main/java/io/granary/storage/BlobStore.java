package io.granary.storage;

import java.net.URI;
import java.time.Duration;
import java.util.Map;
import org.springframework.core.io.buffer.DataBuffer;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The port to wherever object bytes live. Blobs are immutable: a location is written once,
 * read many times and deleted; nothing is ever rewritten in place.
 *
 * <p>Every adapter fails only with {@link io.granary.error.GranaryException}: a missing blob is
 * {@link io.granary.error.ErrorCode#BLOB_NOT_FOUND}, an unreachable store
 * {@link io.granary.error.ErrorCode#STORE_UNAVAILABLE}, anything else the store reports
 * {@link io.granary.error.ErrorCode#STORE_ERROR}. Errors of the body a caller supplies are passed
 * through unchanged.
 */
public interface BlobStore {

    /**
     * Streams {@code body} into a new blob at {@code location}. The blob becomes readable only
     * once the returned Mono completes; on error or cancellation nothing is left behind (no
     * partial blob, no temporary file). Every buffer of {@code body} is released.
     *
     * @param length the exact length when the client declared one, else {@code null}
     * @param metadata small string attributes stored with the blob (e.g. the logical key)
     */
    Mono<Void> put(BlobLocation location, Flux<DataBuffer> body, Long length, Map<String, String> metadata);

    /**
     * Opens the blob, or a range of it. The Mono fails with {@code BLOB_NOT_FOUND} when the blob
     * does not exist at the time of the call.
     *
     * @param range the bytes wanted, or {@code null} for the whole blob
     */
    Mono<BlobContent> open(BlobLocation location, ByteRange range);

    /** Size and write time of the blob, or empty when it does not exist. */
    Mono<BlobInfo> head(BlobLocation location);

    /** Deletes the blob; completes normally when it did not exist. */
    Mono<Void> delete(BlobLocation location);

    /** Copies a blob inside the store without passing its bytes through Granary where possible. */
    Mono<Void> copy(BlobLocation source, BlobLocation target, Map<String, String> metadata);

    /** Every blob whose path starts with {@code prefix}, in no particular order. */
    Flux<BlobInfo> list(String prefix);

    /**
     * A URL at which a client can fetch the whole blob straight from the store for {@code ttl},
     * served with the given {@code Content-Type} and (if not {@code null}) {@code Cache-Control}
     * and {@code Content-Disposition}; empty when the store has no such URLs (local disk).
     */
    default Mono<URI> presignGet(BlobLocation location, Duration ttl, String contentType, String cacheControl,
                                 String contentDisposition) {
        return Mono.empty();
    }

    /**
     * A URL at which a client can upload the blob at {@code location} straight into the store
     * for {@code ttl}: one {@code PUT} of exactly {@code length} bytes declared as
     * {@code contentType}, both signed into the URL so the store refuses any other. Empty means
     * the store has no such URLs (local disk): callers then receive the bytes themselves.
     *
     * <p>Such a URL cannot be revoked and may be used more than once until it expires, each
     * use replacing what the previous one stored; callers must treat the bytes at
     * {@code location} as untrusted and changeable until then (copy them elsewhere before
     * verifying them).
     */
    default Mono<PresignedPut> presignPut(BlobLocation location, Duration ttl, String contentType, long length) {
        return Mono.empty();
    }

    /** Completes when the store is reachable and usable; used by the health check. */
    Mono<Void> check();
}
