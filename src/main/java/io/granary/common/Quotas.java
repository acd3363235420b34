package io.granary.common;

import io.granary.error.ErrorCode;
import io.granary.error.GranaryException;

/** Parsing of quota limits from JSON bodies. */
public final class Quotas {

    private Quotas() {
    }

    /** A whole number of 0 or more (0 admits nothing), or {@code null} for no limit; anything else is a 400. */
    public static Long limit(Object value, String field) {
        if (value == null) {
            return null;
        }
        if ((value instanceof Integer || value instanceof Long) && ((Number) value).longValue() >= 0) {
            return ((Number) value).longValue();
        }
        throw new GranaryException(ErrorCode.INVALID_REQUEST, "'" + field + "' must be a whole number of 0 or more, or null.");
    }
}
