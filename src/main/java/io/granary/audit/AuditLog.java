package io.granary.audit;

import io.granary.common.Ids;
import io.granary.security.Authorizer;
import io.granary.security.Principal;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Service;
import reactor.core.publisher.Mono;

/**
 * Records security-relevant events and answers queries about them. Recording happens after
 * the action succeeded and never fails the action: an event that cannot be stored is logged
 * instead (at ERROR, so it is not lost silently).
 */
@Service
public class AuditLog {

    private static final Logger log = LoggerFactory.getLogger(AuditLog.class);
    static final int MAX_LIMIT = 1000;

    private final AuditRepository events;

    public AuditLog(AuditRepository events) {
        this.events = events;
    }

    /** Stores an event caused by {@code actor}; completes when stored (or when storing failed and was logged). */
    public Mono<Void> record(Principal actor, String tenantId, AuditEventType type, String target, Map<String, String> details) {
        return record(actor.actor(), tenantId, type, target, details);
    }

    /** Stores an event of a caller that has no principal (yet), such as a login attempt. */
    public Mono<Void> record(String actor, String tenantId, AuditEventType type, String target, Map<String, String> details) {
        // Deferred: the event's time is when it is recorded, after the action, not when the
        // pipeline was put together.
        return Mono.defer(() -> {
            AuditEvent event = new AuditEvent(Ids.newId(), Instant.now().truncatedTo(ChronoUnit.MILLIS), tenantId,
                    type.wireName(), actor, target, details);
            return events.insert(event)
                    .onErrorResume(error -> {
                        log.error("audit event not stored: {}", event, error);
                        return Mono.empty();
                    })
                    .then();
        });
    }

    /**
     * One page of the events visible to {@code principal} that match {@code filter}, oldest
     * first, after {@code cursor} (a {@link AuditPage#nextCursor()}, or {@code null} to start
     * at the beginning): root sees every tenant's (or one, with {@code tenantId}), an unscoped
     * admin key its own tenant's.
     */
    public Mono<AuditPage> query(Principal principal, String tenantId, AuditFilter filter, String cursor, int limit) {
        String scope = principal.system() ? tenantId : principal.tenantId();
        if (!principal.system()) {
            Authorizer.requireTenantAdmin(principal, scope);
        }
        AuditCursor after = cursor == null ? null : AuditCursor.decode(cursor);
        // One more than the page tells whether another page follows, so the last page says so.
        return events.find(scope, filter, after, limit + 1)
                .collectList()
                .map(found -> found.size() > limit
                        ? new AuditPage(found.subList(0, limit), AuditCursor.after(found.get(limit - 1)).encode())
                        : new AuditPage(found, null));
    }
}
