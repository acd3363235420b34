package io.granary.audit;

import io.granary.common.Ids;
import io.granary.error.ErrorCode;
import io.granary.error.GranaryException;
import io.granary.security.Authorizer;
import io.granary.security.Principal;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Service;
import reactor.core.publisher.Flux;
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
     * Events visible to {@code principal}, oldest first: root sees every tenant's (or one, with
     * {@code tenantId}), an unscoped admin key its own tenant's.
     */
    public Flux<AuditEvent> query(Principal principal, String tenantId, String since, String type, int limit) {
        String scope = principal.system() ? tenantId : principal.tenantId();
        if (!principal.system()) {
            Authorizer.requireTenantAdmin(principal, scope);
        }
        if (type != null && AuditEventType.fromWireName(type) == null) {
            return Flux.error(new GranaryException(ErrorCode.INVALID_REQUEST, "Unknown event type '" + type + "'."));
        }
        Instant from;
        try {
            from = since == null ? Instant.EPOCH : Instant.parse(since);
        } catch (DateTimeParseException e) {
            return Flux.error(new GranaryException(ErrorCode.INVALID_REQUEST,
                    "'since' must be an ISO-8601 instant such as 2026-01-31T12:00:00Z."));
        }
        return events.find(scope, from, type, limit);
    }
}
