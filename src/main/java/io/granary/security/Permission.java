package io.granary.security;

import io.granary.error.ErrorCode;
import io.granary.error.GranaryException;
import java.util.Locale;

/** What an API key may do. {@code ADMIN} implies every other permission within its tenant. */
public enum Permission {
    READ, LIST, WRITE, DELETE, ADMIN;

    /** The lowercase wire name. */
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Parses a wire name, failing with {@code invalid_request} on anything else. */
    public static Permission parse(String value) {
        for (Permission permission : values()) {
            if (permission.wireName().equals(value)) {
                return permission;
            }
        }
        throw new GranaryException(ErrorCode.INVALID_REQUEST,
                "Unknown permission '" + value + "'; expected read, list, write, delete or admin.");
    }
}
