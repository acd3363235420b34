package io.granary.audit;

import java.time.Instant;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/** Storage port for audit events and for the per-minute counters of refused requests. */
public interface AuditRepository {

    Mono<AuditEvent> insert(AuditEvent event);

    /**
     * Up to {@code limit} events matching {@code filter}, oldest first ({@code at}, then {@code id}).
     *
     * @param tenantId only this tenant's events, or {@code null} for all
     * @param after only events after this position, or {@code null} for all
     */
    Flux<AuditEvent> find(String tenantId, AuditFilter filter, AuditCursor after, int limit);

    /** Adds {@code count} to the counter of {@code window} and completes with its new value (one atomic step). */
    Mono<Long> increment(String window, long count, Instant expiresAt);

    /**
     * Deletes at most {@code limit} events recorded before {@code cutoff}; completes with how
     * many it found to delete (deleted by this call or, concurrently, by another).
     */
    Mono<Integer> pruneEvents(Instant cutoff, int limit);

    /** Deletes at most {@code limit} counters that expired before {@code now}; completes with how many it found. */
    Mono<Integer> pruneCounters(Instant now, int limit);
}
