package io.granary.upload;

import java.time.Instant;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Storage port for tus uploads. The lock is a lease: taken by one conditional update when free
 * or lapsed, renewed and released only by its owner; every change of the offset names the
 * owner and the offset it starts from, so a writer that lost its lease changes nothing.
 */
public interface TusUploadRepository {

    Mono<TusUpload> insert(TusUpload upload);

    Mono<TusUpload> find(String id);

    /** Takes the lock for {@code owner} until {@code until} if nobody holds it at {@code now}; empty otherwise. */
    Mono<TusUpload> lock(String id, String owner, Instant now, Instant until);

    /** Extends the owner's lock; false when it is not the owner's any more. */
    Mono<Boolean> renew(String id, String owner, Instant until);

    /** Releases the owner's lock (no-op when it lapsed and another took it). */
    Mono<Void> unlock(String id, String owner);

    /** Sets a deferred length, by the lock's owner, if still unset; empty otherwise. */
    Mono<TusUpload> declareLength(String id, String owner, long length);

    /**
     * Moves the offset from {@code from} to {@code to} with the tail now at {@code tailPath}
     * (null: none), by the lock's owner; empty when the lock or the offset changed meanwhile.
     */
    Mono<TusUpload> advance(String id, String owner, long from, long to, String tailPath);

    /** Marks the upload completed and forgets its tail. */
    Mono<TusUpload> markCompleted(String id);

    /** Uploads whose expiry is before {@code cutoff}. */
    Flux<TusUpload> expiredBefore(Instant cutoff);

    Mono<Void> remove(String id);
}
