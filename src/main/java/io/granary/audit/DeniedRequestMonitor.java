package io.granary.audit;

import io.granary.config.GranaryProperties;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;

/**
 * Turns refused requests into {@code denied_burst} events: every refusal adds one to a
 * per-subject, per-minute counter in MongoDB (one atomic {@code $inc}, so all nodes count
 * together), and the refusal that reaches the threshold records one event for that minute.
 * A counter expires {@code granary.audit.denied-counter-retention} after its minute; then
 * MongoDB's TTL index or {@link AuditPruner} removes it.
 */
@Component
public class DeniedRequestMonitor {

    private final AuditRepository counters;
    private final AuditLog audit;
    private final long threshold;
    private final Duration retention;

    public DeniedRequestMonitor(AuditRepository counters, AuditLog audit, GranaryProperties properties) {
        this.counters = counters;
        this.audit = audit;
        this.threshold = properties.audit().deniedBurstThreshold();
        this.retention = properties.audit().deniedCounterRetention();
    }

    /**
     * Counts one refusal.
     *
     * @param tenantId the tenant the caller belongs to, if known
     * @param subject what identifies the caller: {@code key:<id>}, {@code signed-url:<tenant id>}, {@code root}
     *     or {@code ip:<address>}
     * @param status the HTTP status it got
     */
    public Mono<Void> denied(String tenantId, String subject, int status) {
        Instant minute = Instant.now().truncatedTo(ChronoUnit.MINUTES);
        String window = subject + "@" + minute.getEpochSecond();
        return counters.increment(window, minute.plus(retention))
                .flatMap(count -> count == threshold
                        ? audit.record(subject, tenantId, AuditEventType.DENIED_BURST, subject,
                                Map.of("minute", minute.toString(), "threshold", Long.toString(threshold),
                                        "lastStatus", Integer.toString(status)))
                        : Mono.empty())
                .onErrorResume(error -> Mono.empty());
    }
}
