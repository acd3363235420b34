package io.granary.usage;

import io.granary.bucket.BucketRepository;
import io.granary.config.GranaryProperties;
import io.granary.usage.UsageHistoryRepository.PartialWrite;
import jakarta.annotation.PreDestroy;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.scheduling.annotation.SchedulingConfigurer;
import org.springframework.scheduling.config.FixedDelayTask;
import org.springframework.scheduling.config.ScheduledTaskRegistrar;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Adds what {@link TrafficTally} counted on this node to the usage history every
 * {@code granary.usage.history.flush-interval}, and once more when the node shuts down. Each
 * flush is one bulk of {@code $inc} upserts, one per bucket and day plus one per tenant and day,
 * so the counts of any number of nodes add up without coordination.
 *
 * <p>Bucket names become bucket ids here, off the request path (through the bucket cache): a
 * name that names no bucket (a request refused with {@code bucket_not_found}) is not counted,
 * and a bucket deleted within the interval loses its last requests. A failed write is not lost:
 * its rows are merged into the next flush, so an outage of the metadata database delays the
 * counts rather than dropping them. The price is that a write whose outcome is unknown (a
 * timeout after MongoDB applied it) is added again: such a flush may count twice. A node that
 * dies loses what it counted since its last flush, at most one interval.
 */
@Component
class TrafficFlusher implements SchedulingConfigurer {

    private static final Logger log = LoggerFactory.getLogger(TrafficFlusher.class);
    private static final int CONCURRENCY = 8;
    private static final Duration SHUTDOWN_WAIT = Duration.ofSeconds(10);

    private final TrafficTally tally;
    private final BucketRepository buckets;
    private final UsageHistoryRepository history;
    private final Duration interval;
    /** Counts whose bucket could not be looked up (the database failed): looked up again next time. */
    private final Queue<TrafficTally.Count> unresolved = new ConcurrentLinkedQueue<>();
    /** Rows not written yet, merged by id: this flush's and those earlier flushes failed to write. */
    private final Map<String, DailyUsage> unwritten = new ConcurrentHashMap<>();
    private final AtomicBoolean flushing = new AtomicBoolean();

    TrafficFlusher(TrafficTally tally, BucketRepository buckets, UsageHistoryRepository history, GranaryProperties properties) {
        this.tally = tally;
        this.buckets = buckets;
        this.history = history;
        this.interval = properties.usage().history().flushInterval();
    }

    @Override
    public void configureTasks(ScheduledTaskRegistrar registrar) {
        registrar.addFixedDelayTask(new FixedDelayTask(this::scheduled, interval, interval));
    }

    void scheduled() {
        flush().subscribe(null, error -> log.warn("Usage history flush failed: {}", error.toString()));
    }

    /** Writes everything counted so far; completes at once, doing nothing, while another flush runs. */
    Mono<Void> flush() {
        return Mono.defer(() -> {
            if (!flushing.compareAndSet(false, true)) {
                return Mono.empty();
            }
            List<TrafficTally.Count> counts = new ArrayList<>(tally.drain());
            for (TrafficTally.Count count; (count = unresolved.poll()) != null; ) {
                counts.add(count);
            }
            return Flux.fromIterable(counts)
                    .flatMap(this::resolve, CONCURRENCY)
                    .doOnNext(row -> {
                        pend(row);
                        pend(DailyUsage.traffic(row.tenantId(), DailyUsage.TENANT, row.day(), row.requests(),
                                row.bytesDownloaded()));
                    })
                    .then(Mono.defer(this::write))
                    .doFinally(signal -> flushing.set(false));
        });
    }

    /** The count as a row of its bucket's id; empty for a name of no bucket, or when the lookup failed (kept). */
    private Mono<DailyUsage> resolve(TrafficTally.Count count) {
        return buckets.find(count.tenantId(), count.bucket())
                .map(bucket -> DailyUsage.traffic(count.tenantId(), bucket.id(), LocalDate.ofEpochDay(count.epochDay()),
                        count.requests(), count.downloaded()))
                .onErrorResume(error -> {
                    unresolved.add(count);
                    return Mono.empty();
                });
    }

    private void pend(DailyUsage row) {
        unwritten.merge(row.id(), row, DailyUsage::plusTraffic);
    }

    private Mono<Void> write() {
        List<DailyUsage> rows = new ArrayList<>(unwritten.size());
        for (String id : List.copyOf(unwritten.keySet())) {
            DailyUsage row = unwritten.remove(id);
            if (row != null) {
                rows.add(row);
            }
        }
        if (!unresolved.isEmpty()) {
            log.warn("Usage history: {} count(s) kept for the next flush, their buckets could not be looked up",
                    unresolved.size());
        }
        return history.addTraffic(rows).onErrorResume(error -> {
            List<DailyUsage> failed = error instanceof PartialWrite partial
                    ? partial.failed().stream().map(rows::get).toList() : rows;
            failed.forEach(this::pend);
            log.warn("Usage history: {} of {} row(s) not written, kept for the next flush: {}", failed.size(), rows.size(),
                    error.toString());
            return Mono.empty();
        });
    }

    /** The last flush, once requests have stopped (the web servers stop before beans are destroyed). */
    @PreDestroy
    void flushOnShutdown() throws InterruptedException {
        // A scheduled flush may be running: let it end, so this one is not skipped. Blocking is
        // right here: this runs once, on the thread closing the context, after the servers stopped.
        long deadline = System.nanoTime() + SHUTDOWN_WAIT.toNanos();
        while (flushing.get() && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        try {
            flush().block(SHUTDOWN_WAIT);
        } catch (RuntimeException e) {
            log.warn("Usage history: the last flush failed: {}", e.toString());
        }
        if (!unwritten.isEmpty() || !unresolved.isEmpty()) {
            log.warn("Usage history: {} row(s) and {} count(s) could not be written before shutdown and are lost",
                    unwritten.size(), unresolved.size());
        }
    }
}
