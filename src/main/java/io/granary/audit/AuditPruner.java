package io.granary.audit;

import io.granary.config.GranaryProperties;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Deletes audit events older than {@code granary.audit.retention} and expired counters of
 * refused requests, every {@code granary.audit.prune-interval}, in batches of {@link #BATCH}
 * so no single delete grows with the backlog (a batch finds its documents, then deletes exactly
 * those). Deleting is idempotent, so nodes pruning at the same time need no coordination: at
 * worst both look at the same batch. A node starts no pruning while its previous one runs.
 */
@Component
class AuditPruner {

    static final int BATCH = 1000;

    private static final Logger log = LoggerFactory.getLogger(AuditPruner.class);

    private final AuditRepository repository;
    private final Duration retention;
    /** Whether this node's last pruning is still going: a long backlog must not be pruned twice over. */
    private final AtomicBoolean running = new AtomicBoolean();

    AuditPruner(AuditRepository repository, GranaryProperties properties) {
        this.repository = repository;
        this.retention = properties.audit().retention();
    }

    @Scheduled(initialDelayString = "${granary.audit.prune-interval:1h}", fixedDelayString = "${granary.audit.prune-interval:1h}")
    void scheduled() {
        if (!running.compareAndSet(false, true)) {
            return;
        }
        Instant now = Instant.now();
        prune(now).doFinally(signal -> running.set(false)).subscribe(
                pruned -> {
                    if (pruned.events() > 0 || pruned.counters() > 0) {
                        log.info("Audit pruning deleted {} event(s) recorded before {} and {} expired denial counter(s)",
                                pruned.events(), now.minus(retention), pruned.counters());
                    }
                },
                error -> log.warn("Audit pruning failed: {}", error.toString()));
    }

    /** How many events and denial counters one pruning deleted. */
    record Pruned(long events, long counters) {
    }

    /** Prunes as of {@code now}; completes with how many events and counters it deleted. */
    Mono<Pruned> prune(Instant now) {
        return drain(() -> repository.pruneEvents(now.minus(retention), BATCH))
                .zipWith(drain(() -> repository.pruneCounters(now, BATCH)), Pruned::new);
    }

    /** Batches one after another until one comes back short. */
    private static Mono<Long> drain(Supplier<Mono<Integer>> batch) {
        return Flux.defer(batch::get)
                .repeat()
                .takeUntil(found -> found < BATCH)
                .reduce(0L, Long::sum);
    }
}
