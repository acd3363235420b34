package io.granary.apikey;

import io.granary.common.Names;
import io.granary.error.ErrorCode;
import io.granary.error.GranaryException;
import io.granary.security.Permission;
import io.granary.security.Principal;
import java.time.Instant;
import java.util.EnumSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * What a tenant credential may do, validated: the one set of rules for API keys and S3
 * credentials, which are scoped alike.
 *
 * @param permissions wire names, without repeats, in the order given
 * @param buckets bucket names without repeats, or {@code null} for every bucket of the tenant
 * @param expiresAt when the credential stops working, or {@code null} for never
 * @param requestsPerSecond the credential's own rate limit, or {@code null} for the default
 */
public record KeyScope(String name, List<String> permissions, List<String> buckets, Instant expiresAt,
                       Double requestsPerSecond) {

    /** The scope {@code spec} asks for, or a 400 {@code invalid_request} / {@code invalid_name} saying what is wrong. */
    public static KeyScope of(ApiKeyService.KeySpec spec, Instant now) {
        Names.requireLabel(spec.name(), "Key name");
        if (spec.permissions() == null || spec.permissions().isEmpty()) {
            throw new GranaryException(ErrorCode.INVALID_REQUEST, "A key needs at least one permission.");
        }
        Set<String> permissions = new LinkedHashSet<>();
        for (String permission : spec.permissions()) {
            permissions.add(Permission.parse(permission).wireName());
        }
        if (spec.buckets() != null) {
            if (spec.buckets().isEmpty()) {
                throw new GranaryException(ErrorCode.INVALID_REQUEST, "'buckets' must name at least one bucket, or be null for all.");
            }
            spec.buckets().forEach(Names::requireBucketName);
        }
        if (spec.requestsPerSecond() != null && !(spec.requestsPerSecond() > 0)) {
            throw new GranaryException(ErrorCode.INVALID_REQUEST, "'requestsPerSecond' must be positive.");
        }
        if (spec.expiresAt() != null && !spec.expiresAt().isAfter(now)) {
            throw new GranaryException(ErrorCode.INVALID_REQUEST, "'expiresAt' must be in the future.");
        }
        return new KeyScope(spec.name(), List.copyOf(permissions),
                spec.buckets() == null ? null : List.copyOf(new LinkedHashSet<>(spec.buckets())),
                spec.expiresAt(), spec.requestsPerSecond());
    }

    /** The principal a stored credential with these stored permissions and buckets acts as. */
    public static Principal principal(String tenantId, String credentialId, List<String> permissions, List<String> buckets,
                                      Double requestsPerSecond) {
        Set<Permission> granted = EnumSet.noneOf(Permission.class);
        permissions.forEach(p -> granted.add(Permission.parse(p)));
        return new Principal.TenantKey(tenantId, credentialId, Set.copyOf(granted), buckets, requestsPerSecond);
    }
}
