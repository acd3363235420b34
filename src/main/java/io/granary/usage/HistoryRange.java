package io.granary.usage;

import io.granary.error.ErrorCode;
import io.granary.error.GranaryException;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.regex.Pattern;

/**
 * The days a usage history covers, both ends included: at most {@value #MAX_DAYS} of them.
 *
 * @param from the first day
 * @param to the last day
 */
public record HistoryRange(LocalDate from, LocalDate to) {

    private static final Pattern DATE = Pattern.compile("[0-9]{4}-[0-9]{2}-[0-9]{2}");

    /** Days covered when the request names no {@code from}. */
    public static final int DEFAULT_DAYS = 30;
    /** The most days one answer covers, the whole retention. */
    public static final int MAX_DAYS = 400;

    /**
     * The range the query parameters {@code from} and {@code to} (each {@code YYYY-MM-DD}, or
     * {@code null} when absent) ask for: {@code to} defaults to {@code today}, {@code from} to the
     * {@value #DEFAULT_DAYS} days ending with {@code to}. Fails with {@code 400 invalid_request}
     * on a date that is not one, {@code from} after {@code to}, or more than {@value #MAX_DAYS} days.
     */
    public static HistoryRange parse(String from, String to, LocalDate today) {
        LocalDate last = to == null ? today : date("to", to);
        LocalDate first = from == null ? last.minusDays(DEFAULT_DAYS - 1) : date("from", from);
        if (first.isAfter(last)) {
            throw new GranaryException(ErrorCode.INVALID_REQUEST, "'from' (" + first + ") is after 'to' (" + last
                    + (to == null ? ", today by default" : "") + ").");
        }
        long days = ChronoUnit.DAYS.between(first, last) + 1;
        if (days > MAX_DAYS) {
            throw new GranaryException(ErrorCode.INVALID_REQUEST, "The range from " + first + " to " + last + " covers "
                    + days + " days; at most " + MAX_DAYS + " can be asked for at once.");
        }
        return new HistoryRange(first, last);
    }

    private static LocalDate date(String name, String value) {
        try {
            // Four-digit years only: LocalDate also reads '+999999999-12-31', whose neighbours do not exist.
            if (DATE.matcher(value).matches()) {
                return LocalDate.parse(value);
            }
        } catch (DateTimeParseException e) {
            // reported below
        }
        throw new GranaryException(ErrorCode.INVALID_REQUEST,
                "Query parameter '" + name + "' must be a date as YYYY-MM-DD, such as 2026-01-31.");
    }

    /** Whether {@code day} is one of the range's days. */
    public boolean contains(LocalDate day) {
        return !day.isBefore(from) && !day.isAfter(to);
    }
}
