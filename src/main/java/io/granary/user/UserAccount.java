package io.granary.user;

import com.fasterxml.jackson.annotation.JsonIgnore;
import java.time.Instant;
import org.springframework.data.annotation.Id;
import org.springframework.data.mongodb.core.mapping.Document;

/**
 * A dashboard user of the embedded issuer. Only a bcrypt hash of the password is kept.
 *
 * @param username unique across all tenants (it is all a login names), lowercase
 * @param role {@code system-admin}, {@code tenant-admin} or {@code member}
 * @param tenantId the user's tenant, {@code null} for system admins
 * @param disabled a disabled user cannot log in, and its tokens stop working at once
 * @param sessionVersion the version every token of the user carries; changing the password, the
 *     role or the disabled flag increments it, which ends all earlier sessions at once
 */
@Document("users")
public record UserAccount(
        @Id String id,
        String username,
        String role,
        String tenantId,
        Instant createdAt,
        boolean disabled,
        @JsonIgnore long sessionVersion,
        @JsonIgnore String passwordHash) {

    /** The same user with changed credentials or powers; every earlier session ends. */
    UserAccount changed(String newRole, boolean newDisabled, String newPasswordHash) {
        return new UserAccount(id, username, newRole, tenantId, createdAt, newDisabled, sessionVersion + 1, newPasswordHash);
    }

    /** Whether a token of session version {@code version} still speaks for this user. */
    public boolean acceptsSession(long version) {
        return !disabled && version == sessionVersion;
    }
}
