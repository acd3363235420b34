package io.granary.user;

import io.granary.error.ErrorCode;
import io.granary.error.GranaryException;

/** The closed set of dashboard-user roles, with their wire names. */
public enum UserRole {
    SYSTEM_ADMIN("system-admin"), TENANT_ADMIN("tenant-admin"), MEMBER("member");

    private final String wireName;

    UserRole(String wireName) {
        this.wireName = wireName;
    }

    public String wireName() {
        return wireName;
    }

    /** Parses a wire name, failing with {@code invalid_request} on anything else. */
    public static UserRole parse(String value) {
        for (UserRole role : values()) {
            if (role.wireName.equals(value)) {
                return role;
            }
        }
        throw new GranaryException(ErrorCode.INVALID_REQUEST,
                "Unknown role '" + value + "'; expected system-admin, tenant-admin or member.");
    }
}
