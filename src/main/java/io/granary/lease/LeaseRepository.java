package io.granary.lease;

import java.time.Instant;
import reactor.core.publisher.Mono;

/**
 * Storage port for named leases, one document per lease. Taking, renewing and releasing are
 * each one conditional update of that document, so any number of nodes may race for a lease
 * and at most one holds it at any time (as long as clocks agree to within the lease's length).
 */
public interface LeaseRepository {

    /**
     * Takes the lease for {@code owner} until {@code until} if nobody holds it at {@code now}
     * and, when {@code finishedBefore} is given, the last recorded run finished before that
     * instant (or never ran). Completes with the lease as taken, or empty when it is held or
     * not yet due.
     */
    Mono<Lease> acquire(String name, String owner, Instant now, Instant until, Instant finishedBefore);

    /** Extends the owner's hold; false when the lease is no longer the owner's. */
    Mono<Boolean> renew(String name, String owner, Instant until);

    /**
     * Frees the owner's hold (no-op when it lapsed and another took it), recording
     * {@code finishedAt} as the last run's end unless it is {@code null}.
     */
    Mono<Void> release(String name, String owner, Instant finishedAt);

    /**
     * Frees the owner's hold by removing the lease's document (no-op when it lapsed and another
     * took it): for leases named after one thing to do once, whose document would otherwise stay
     * for good. Taking the lease again later starts from a new document.
     */
    Mono<Void> forget(String name, String owner);

    /**
     * Removes the documents of leases named {@code prefix}... that nobody holds at {@code now};
     * completes with how many went.
     */
    Mono<Long> forgetFree(String prefix, Instant now);

    /** The lease's current state, or empty when it was never taken. */
    Mono<Lease> find(String name);
}
