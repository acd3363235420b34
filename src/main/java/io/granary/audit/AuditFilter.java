package io.granary.audit;

import io.granary.common.Names;
import io.granary.error.ErrorCode;
import io.granary.error.GranaryException;
import java.time.Instant;
import java.time.format.DateTimeParseException;

/**
 * The conditions of an audit log query; each is {@code null} when absent, and present ones
 * all apply.
 *
 * @param since only events at or after this instant
 * @param until only events before this instant (exclusive)
 * @param type only events of this type (wire name)
 * @param actor only events of exactly this actor, as events record it ({@code root},
 *     {@code key:<id>}, {@code user:<id>}, ...)
 * @param bucket only events about this bucket: target {@code bucket:<name>} or
 *     {@code object:<name>/<key>}
 */
public record AuditFilter(Instant since, Instant until, String type, String actor, String bucket) {

    /**
     * The filter the query parameters describe (blank ones are absent).
     *
     * @throws GranaryException {@code invalid_request} for a time that is not an ISO-8601
     *     instant or an unknown type, {@code invalid_bucket_name} for a bucket no bucket can be named
     */
    static AuditFilter parse(String since, String until, String type, String actor, String bucket) {
        String wantedType = present(type);
        if (wantedType != null && AuditEventType.fromWireName(wantedType) == null) {
            throw new GranaryException(ErrorCode.INVALID_REQUEST, "Unknown event type '" + wantedType + "'.");
        }
        String wantedBucket = present(bucket);
        if (wantedBucket != null) {
            Names.requireBucketName(wantedBucket);
        }
        return new AuditFilter(instant("since", since), instant("until", until), wantedType, present(actor), wantedBucket);
    }

    private static Instant instant(String name, String value) {
        String present = present(value);
        try {
            return present == null ? null : Instant.parse(present);
        } catch (DateTimeParseException e) {
            throw new GranaryException(ErrorCode.INVALID_REQUEST,
                    "'" + name + "' must be an ISO-8601 instant such as 2026-01-31T12:00:00Z.");
        }
    }

    private static String present(String value) {
        return value == null || value.isBlank() ? null : value.strip();
    }
}
