package io.granary.audit;

import java.time.Instant;
import java.util.Map;
import org.springframework.data.annotation.Id;
import org.springframework.data.mongodb.core.mapping.Document;

/**
 * One recorded event.
 *
 * @param tenantId the tenant it concerns, or {@code null} for installation-wide events
 * @param type the event's wire name ({@link AuditEventType#wireName()})
 * @param actor who caused it: {@code root}, {@code key:<id>}, {@code signed-url}, {@code anonymous}
 *     or, for refused requests, what identified the caller
 * @param target what it was done to, e.g. {@code bucket:photos} or {@code key:<id>}
 * @param details small extra facts (never secrets)
 */
@Document("audit_events")
public record AuditEvent(@Id String id, Instant at, String tenantId, String type, String actor, String target,
                         Map<String, String> details) {
}
