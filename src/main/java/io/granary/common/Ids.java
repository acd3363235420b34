package io.granary.common;

import org.bson.types.ObjectId;

/** Server-generated identifiers: 24 lowercase hex characters, roughly ordered by creation time. */
public final class Ids {

    private Ids() {
    }

    public static String newId() {
        return new ObjectId().toHexString();
    }

    /** Whether {@code value} has the shape of an id (so it is safe to use in paths and queries). */
    public static boolean isId(String value) {
        return value != null && value.length() == 24 && value.chars().allMatch(c -> (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'));
    }
}
