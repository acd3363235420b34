package io.granary.image;

import java.time.Instant;
import reactor.core.publisher.Mono;

/** Storage port of the durable pre-generation queue ({@link RenditionJob}). */
public interface RenditionJobRepository {

    /** Queues a job; a job with the same id already queued is left as it is. */
    Mono<Void> enqueue(RenditionJob job);

    /**
     * Takes one job that is queued and due at {@code now}, or running under a lease that lapsed
     * before {@code now} (its node stopped): it becomes {@code RUNNING} until {@code leaseUntil},
     * one more attempt counted. Atomic: of nodes racing, one takes it. Empty when none is due.
     */
    Mono<RenditionJob> take(Instant now, Instant leaseUntil);

    /** Removes a finished (or pointless) job. */
    Mono<Void> remove(String id);

    /** Puts a job back, due at {@code availableAt}, or marks it failed when {@code availableAt} is null. */
    Mono<Void> release(String id, Instant availableAt, String error);
}
