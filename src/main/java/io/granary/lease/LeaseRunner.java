package io.granary.lease;

import io.granary.common.Ids;
import java.time.Duration;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Runs a job on at most one node at a time, under a named {@link Lease} in MongoDB. The lease
 * is taken for {@link #TTL} and renewed every third of that while the job runs, so a node that
 * dies frees it within a minute; a run whose renewal finds the lease taken by another (its own
 * renewals failed for a whole TTL) is stopped with an error. Once the lease is taken the job
 * runs to its end even if the subscriber cancels (a caller hanging up), so it always ends by
 * releasing the lease.
 */
@Component
public class LeaseRunner {

    /** How long a hold lasts without renewal. */
    static final Duration TTL = Duration.ofMinutes(1);
    /** The longest wait between a node's checks of whether a periodic job is due. */
    public static final Duration MAX_CHECK = Duration.ofMinutes(10);

    private static final Logger log = LoggerFactory.getLogger(LeaseRunner.class);

    private final LeaseRepository leases;

    LeaseRunner(LeaseRepository leases) {
        this.leases = leases;
    }

    /**
     * Runs {@code work} under the lease {@code name}, or fails with {@link LeaseHeldException}
     * when another run holds it. {@code recordFinish}: a successful end is recorded as the
     * lease's {@code lastFinishedAt} (what {@link #runIfDue} goes by).
     */
    public <T> Mono<T> run(String name, boolean recordFinish, Mono<T> work) {
        return run(name, work, recordFinish ? End.RECORD : End.RELEASE);
    }

    /**
     * As {@link #run(String, boolean, Mono)} for a lease named after one piece of work done once
     * (a rendition to make): its document is removed at the end, so that such leases leave
     * nothing behind. Never for a name whose {@code lastFinishedAt} matters.
     */
    public <T> Mono<T> runOnce(String name, Mono<T> work) {
        return run(name, work, End.FORGET);
    }

    /**
     * Removes what one-off leases named {@code prefix}... left that nobody holds: a node that
     * stopped before its {@link #runOnce} ended, or an earlier release, which kept them all.
     * Completes with how many went.
     */
    public Mono<Long> forgetFree(String prefix) {
        return Mono.defer(() -> leases.forgetFree(prefix, Instant.now()));
    }

    private <T> Mono<T> run(String name, Mono<T> work, End end) {
        return Mono.defer(() -> {
            String owner = Ids.newId();
            Instant now = Instant.now();
            return leases.acquire(name, owner, now, now.plus(TTL), null)
                    .switchIfEmpty(Mono.defer(() -> leases.find(name)
                            .defaultIfEmpty(new Lease(name, null, null, null, null))
                            .flatMap(holder -> Mono.error(new LeaseHeldException(holder)))))
                    .flatMap(lease -> held(name, owner, end, work));
        });
    }

    /**
     * Runs {@code work} under the lease {@code name} if nobody holds it and no recorded run
     * finished within {@code every}; completes empty otherwise. Its end is recorded, so of
     * several nodes asking on their own schedules only the first runs the job each period.
     */
    public <T> Mono<T> runIfDue(String name, Duration every, Mono<T> work) {
        return Mono.defer(() -> {
            String owner = Ids.newId();
            Instant now = Instant.now();
            return leases.acquire(name, owner, now, now.plus(TTL), now.minus(every))
                    .flatMap(lease -> held(name, owner, End.RECORD, work));
        });
    }

    /**
     * How often each node should ask {@link #runIfDue} about a job due every {@code every}: a
     * tenth of it, at most {@link #MAX_CHECK}, so the job runs close to its period without every
     * node asking all the time.
     */
    public static Duration checkPeriod(Duration every) {
        Duration tenth = every.dividedBy(10);
        return tenth.compareTo(MAX_CHECK) < 0 ? tenth : MAX_CHECK;
    }

    private <T> Mono<T> held(String name, String owner, End end, Mono<T> work) {
        Mono<T> lost = Flux.interval(TTL.dividedBy(3))
                .concatMap(tick -> leases.renew(name, owner, Instant.now().plus(TTL))
                        // A failed renewal is tried again at the next tick; only a lease that
                        // another run has taken meanwhile stops this one.
                        .onErrorResume(error -> {
                            log.warn("Could not renew the lease '{}': {}", name, error.toString());
                            return Mono.just(true);
                        }))
                .filter(renewed -> !renewed)
                .next()
                .then(Mono.error(() -> new IllegalStateException("The lease '" + name + "' was lost; the run stopped.")));
        Mono<Void> finished = Mono.defer(() -> end == End.FORGET ? leases.forget(name, owner)
                : leases.release(name, owner, end == End.RECORD ? Instant.now() : null));
        Mono<Void> failed = Mono.defer(() -> end == End.FORGET ? leases.forget(name, owner) : leases.release(name, owner, null));
        Mono<T> guarded = Mono.firstWithSignal(work, lost)
                .flatMap(result -> finished.thenReturn(result))
                .switchIfEmpty(finished.then(Mono.<T>empty()))
                .onErrorResume(error -> failed
                        .onErrorResume(ignored -> Mono.empty())
                        .then(Mono.error(error)));
        // Started at once and never cancelled from outside: see the class comment.
        return Mono.fromFuture(guarded.toFuture(), true);
    }

    /** What a successful run leaves of its lease. */
    private enum End {
        /** The hold freed and the end recorded as {@code lastFinishedAt}. */
        RECORD,
        /** The hold freed. */
        RELEASE,
        /** The document removed. */
        FORGET
    }
}
