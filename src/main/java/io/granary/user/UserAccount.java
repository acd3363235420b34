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
 * @param sessionsNotBefore tokens issued before this instant are refused (set when the
 *     password, the role or the disabled flag changes)
 */
@Document("users")
public record UserAccount(
        @Id String id,
        String username,
        String role,
        String tenantId,
        Instant createdAt,
        boolean disabled,
        @JsonIgnore Instant sessionsNotBefore,
        @JsonIgnore String passwordHash) {

    /** The same user with changed credentials or powers; every session started before {@code now} ends. */
    UserAccount changed(String newRole, boolean newDisabled, String newPasswordHash, Instant now) {
        return new UserAccount(id, username, newRole, tenantId, createdAt, newDisabled, now, newPasswordHash);
    }

    /** Whether a token issued at {@code issuedAt} still speaks for this user. */
    public boolean acceptsTokenIssuedAt(Instant issuedAt) {
        return !disabled && issuedAt != null && !issuedAt.isBefore(sessionsNotBefore);
    }
}
