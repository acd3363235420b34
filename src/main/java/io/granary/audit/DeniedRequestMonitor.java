package io.granary.audit;

import io.granary.config.GranaryProperties;
import jakarta.annotation.PreDestroy;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.springframework.stereotype.Component;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * Turns refused requests into {@code denied_burst} events: refusals are counted per subject and
 * minute, in this node's memory first and added to a counter in MongoDB once per
 * {@link #FLUSH_INTERVAL} (one atomic {@code $inc} per subject, so all nodes count together), and
 * the addition that takes a counter to the threshold records one event for that minute. A
 * refusal itself costs a map update: a flood of refused requests would otherwise cost a database
 * write each, more than serving them. A counter expires {@code granary.audit.denied-counter-retention}
 * after its minute; then MongoDB's TTL index or {@link AuditPruner} removes it.
 */
@Component
public class DeniedRequestMonitor {

    static final Duration FLUSH_INTERVAL = Duration.ofSeconds(1);
    /** Subjects counted per flush at most; more in one second are a flood of addresses, not of one caller. */
    private static final int MAX_PENDING = 10_000;

    private final AuditRepository counters;
    private final AuditLog audit;
    private final long threshold;
    private final Duration retention;
    private final Map<String, Pending> pending = new ConcurrentHashMap<>();
    private final Disposable flushes;

    public DeniedRequestMonitor(AuditRepository counters, AuditLog audit, GranaryProperties properties) {
        this.counters = counters;
        this.audit = audit;
        this.threshold = properties.audit().deniedBurstThreshold();
        this.retention = properties.audit().deniedCounterRetention();
        this.flushes = Flux.interval(FLUSH_INTERVAL, FLUSH_INTERVAL, Schedulers.parallel())
                .onBackpressureDrop()
                .concatMap(tick -> flush(), 0)
                .subscribe();
    }

    /**
     * Counts one refusal; returns at once (the count reaches MongoDB with the next flush).
     *
     * @param tenantId the tenant the caller belongs to, if known
     * @param subject what identifies the caller: {@code key:<id>}, {@code signed-url:<tenant id>}, {@code root}
     *     or {@code ip:<address>}
     * @param status the HTTP status it got
     */
    public void denied(String tenantId, String subject, int status) {
        Instant minute = Instant.now().truncatedTo(ChronoUnit.MINUTES);
        String window = subject + "@" + minute.getEpochSecond();
        Pending counted = pending.get(window);
        if (counted == null) {
            if (pending.size() >= MAX_PENDING) {
                return;
            }
            counted = pending.computeIfAbsent(window, ignored -> new Pending(tenantId, subject, minute));
        }
        counted.count.incrementAndGet();
        counted.lastStatus = status;
    }

    /** Adds what was counted since the last flush to the shared counters; never fails. */
    Mono<Void> flush() {
        return Flux.fromIterable(pending.entrySet())
                .concatMap(entry -> {
                    Pending counted = entry.getValue();
                    long added = counted.count.getAndSet(0);
                    if (added == 0) {
                        // Idle for a whole flush: a later refusal starts a new entry.
                        pending.remove(entry.getKey(), counted);
                        return Mono.empty();
                    }
                    return counters.increment(entry.getKey(), added, counted.minute.plus(retention))
                            .flatMap(total -> total - added < threshold && total >= threshold
                                    ? audit.record(counted.subject, counted.tenantId, AuditEventType.DENIED_BURST,
                                            counted.subject, Map.of("minute", counted.minute.toString(),
                                                    "threshold", Long.toString(threshold),
                                                    "lastStatus", Integer.toString(counted.lastStatus)))
                                    : Mono.empty())
                            .onErrorResume(error -> Mono.empty());
                })
                .then();
    }

    @PreDestroy
    void stop() {
        flushes.dispose();
    }

    /** Refusals of one subject in one minute not yet added to the shared counter. */
    private static final class Pending {
        final String tenantId;
        final String subject;
        final Instant minute;
        final AtomicLong count = new AtomicLong();
        volatile int lastStatus;

        Pending(String tenantId, String subject, Instant minute) {
            this.tenantId = tenantId;
            this.subject = subject;
            this.minute = minute;
        }
    }
}
