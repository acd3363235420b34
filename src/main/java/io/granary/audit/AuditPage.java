package io.granary.audit;

import java.util.List;

/**
 * One page of audit events, oldest first.
 *
 * @param nextCursor where the next page starts, or {@code null} when no more events matched
 */
public record AuditPage(List<AuditEvent> events, String nextCursor) {
}
