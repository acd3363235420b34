package io.granary.security;

import io.granary.error.ErrorCode;
import io.granary.error.GranaryException;

/**
 * The access rules in one place. Each method returns normally when access is granted and
 * throws {@link GranaryException} ({@code forbidden}) otherwise.
 */
public final class Authorizer {

    private Authorizer() {
    }

    /** Tenant lifecycle, signing keys: the root key or a system admin. */
    public static void requireSystem(Principal principal) {
        if (!principal.system()) {
            throw new GranaryException(ErrorCode.FORBIDDEN, "Only the root key or a system admin can do this.");
        }
    }

    /**
     * Management of one tenant's keys and users: a system principal, or an admin of that tenant
     * valid for all its buckets. A bucket-scoped admin key is refused, or it could issue itself
     * a key without the scope.
     */
    public static void requireTenantAdmin(Principal principal, String tenantId) {
        if (principal.system()) {
            return;
        }
        Principal.Member key = member(principal);
        if (!key.tenantId().equals(tenantId)) {
            // Another tenant's resources do not exist as far as this key can tell.
            throw new GranaryException(ErrorCode.TENANT_NOT_FOUND, "No such tenant.");
        }
        if (!key.allows(Permission.ADMIN)) {
            throw new GranaryException(ErrorCode.FORBIDDEN, "This credential lacks the admin permission.");
        }
        if (key.buckets() != null) {
            throw new GranaryException(ErrorCode.FORBIDDEN, "A bucket-scoped key cannot manage the tenant's keys.");
        }
    }

    /** Data-plane calls are made by members of a tenant (API keys, JWT users); returns the member. */
    public static Principal.Member member(Principal principal) {
        if (principal instanceof Principal.Member member) {
            return member;
        }
        String advice;
        if (principal instanceof Principal.Root) {
            // X-Granary-Tenant is for JWTs: advising it to the root key would only earn a 400.
            advice = "The root key manages tenants, keys and users but does not act inside a tenant."
                    + " Use an API key of the tenant, or log in as a system admin and send"
                    + " X-Granary-Tenant: <tenant name> with the access token.";
        } else if (principal instanceof Principal.SystemAdmin) {
            advice = "A system admin acts inside a tenant only when naming it: send X-Granary-Tenant: <tenant name or id>.";
        } else {
            advice = "This credential cannot do this.";
        }
        throw new GranaryException(ErrorCode.FORBIDDEN, advice);
    }

    /**
     * A permission on a named bucket of the caller's tenant; returns that tenant's id. Signed-URL
     * and public-bucket principals pass only for the one operation they stand for; the bucket
     * they name is checked once it is loaded ({@code BucketService.resolve}).
     */
    public static String requireBucket(Principal principal, Permission permission, String bucket) {
        if (principal instanceof Principal.Grant grant) {
            if (grant.permission() != permission) {
                throw new GranaryException(ErrorCode.SIGNED_URL_MISMATCH, "The signed URL does not allow this operation.");
            }
            return grant.tenantId();
        }
        if (principal instanceof Principal.Anonymous anonymous) {
            if (permission != Permission.READ) {
                throw new GranaryException(ErrorCode.UNAUTHENTICATED, "Only reads of public buckets are anonymous.");
            }
            return anonymous.tenantId();
        }
        Principal.Member key = member(principal);
        if (!key.allows(permission)) {
            throw new GranaryException(ErrorCode.FORBIDDEN, "This credential lacks the " + permission.wireName() + " permission.");
        }
        if (!key.reaches(bucket)) {
            throw new GranaryException(ErrorCode.FORBIDDEN, "This key is not valid for bucket '" + bucket + "'.");
        }
        return key.tenantId();
    }

    /** A signed URL names one object: any other key in the path is refused. */
    public static void requireKey(Principal principal, String key) {
        if (principal instanceof Principal.Grant grant && !grant.key().equals(key)) {
            throw new GranaryException(ErrorCode.SIGNED_URL_MISMATCH, "The signed URL was issued for another object.");
        }
    }
}
