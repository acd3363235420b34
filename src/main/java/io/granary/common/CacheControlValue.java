package io.granary.common;

import io.granary.error.ErrorCode;
import io.granary.error.GranaryException;

/** The rule for stored {@code Cache-Control} values (an object's, or a bucket's default). */
public final class CacheControlValue {

    static final int MAX_LENGTH = 1024;

    private CacheControlValue() {
    }

    /** The value, stripped, or {@code null} for none; echoed on every read, so printable ASCII only and bounded. */
    public static String require(String value) {
        if (value == null || value.isBlank()) {
            return null;
        }
        if (value.length() > MAX_LENGTH || !value.chars().allMatch(c -> c >= 0x20 && c < 0x7f)) {
            throw new GranaryException(ErrorCode.INVALID_REQUEST,
                    "Cache-Control must be printable ASCII of at most " + MAX_LENGTH + " characters.");
        }
        return value.strip();
    }
}
