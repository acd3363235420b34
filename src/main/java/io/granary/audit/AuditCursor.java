package io.granary.audit;

import io.granary.common.Ids;
import io.granary.error.ErrorCode;
import io.granary.error.GranaryException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;

/**
 * A position in the audit log's order ({@code at}, then {@code id}): a page read from a
 * cursor starts with the first event after it, so pages neither skip nor repeat events,
 * even when many share one millisecond.
 */
public record AuditCursor(Instant at, String id) {

    static AuditCursor after(AuditEvent event) {
        return new AuditCursor(event.at(), event.id());
    }

    /** The opaque text handed to clients. */
    String encode() {
        return Base64.getUrlEncoder().withoutPadding()
                .encodeToString((at.toEpochMilli() + ":" + id).getBytes(StandardCharsets.US_ASCII));
    }

    /** The cursor {@link #encode()} made; anything else is {@code invalid_cursor}. */
    static AuditCursor decode(String text) {
        try {
            String[] parts = new String(Base64.getUrlDecoder().decode(text), StandardCharsets.US_ASCII).split(":", -1);
            if (parts.length == 2 && Ids.isId(parts[1])) {
                return new AuditCursor(Instant.ofEpochMilli(Long.parseLong(parts[0])), parts[1]);
            }
        } catch (IllegalArgumentException e) {
            // not base64 or not a number: refused below
        }
        throw new GranaryException(ErrorCode.INVALID_CURSOR, "'cursor' must be a nextCursor of an earlier answer.");
    }
}
