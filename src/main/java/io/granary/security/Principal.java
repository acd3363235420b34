package io.granary.security;

import java.util.List;
import java.util.Set;

/** Who is calling, as established from the request's credential. */
public sealed interface Principal {

    /** The tenant whose data the principal may reach, or {@code null} for system principals. */
    String tenantId();

    /** Who did it, as recorded in the audit log: {@code root}, {@code key:<id>}, {@code user:<id>}, ... */
    String actor();

    /** Whether the principal administers the whole system (tenants, signing keys, every tenant's audit). */
    default boolean system() {
        return false;
    }

    /** The holder of the root key: manages tenants, keys and users, never touches objects. */
    record Root() implements Principal {
        @Override
        public String tenantId() {
            return null;
        }

        @Override
        public String actor() {
            return "root";
        }

        @Override
        public boolean system() {
            return true;
        }
    }

    /**
     * A person holding a JWT with the system-admin role, not acting on any tenant: the same
     * powers as the root key. With {@code X-Granary-Tenant} the same person is a {@link User}
     * with admin rights in that tenant instead.
     */
    record SystemAdmin(JwtIdentity identity) implements Principal {
        @Override
        public String tenantId() {
            return null;
        }

        @Override
        public String actor() {
            return identity.actor();
        }

        @Override
        public boolean system() {
            return true;
        }
    }

    /** A credential acting inside one tenant with a set of permissions: an API key or a JWT user. */
    sealed interface Member extends Principal permits TenantKey, User {

        Set<Permission> permissions();

        /** Bucket names the credential is confined to, or {@code null} for all of the tenant's. */
        List<String> buckets();

        /** The caller's own rate limit, or {@code null} for the default. */
        Double requestsPerSecond();

        /**
         * What a signed URL issued by this credential is tied to: revoking it revokes the URL.
         * {@code null} when nothing can be checked later (a user of an external issuer).
         */
        String issuingCredential();

        default boolean allows(Permission permission) {
            return permissions().contains(Permission.ADMIN) || permissions().contains(permission);
        }

        default boolean reaches(String bucket) {
            return buckets() == null || buckets().contains(bucket);
        }
    }

    /**
     * A tenant's API key.
     *
     * @param buckets bucket names the key is confined to, or {@code null} for all of the tenant's
     * @param requestsPerSecond the key's own rate limit, or {@code null} for the default
     */
    record TenantKey(String tenantId, String keyId, Set<Permission> permissions, List<String> buckets,
                     Double requestsPerSecond) implements Member {

        @Override
        public String actor() {
            return "key:" + keyId;
        }

        @Override
        public String issuingCredential() {
            return keyId;
        }
    }

    /**
     * A person holding a JWT, acting in one tenant: a tenant admin ({@code ADMIN}), a member
     * (read, list, write, delete), or a system admin who named the tenant.
     */
    record User(String tenantId, JwtIdentity identity, Set<Permission> permissions) implements Member {

        @Override
        public String actor() {
            return identity.actor();
        }

        @Override
        public List<String> buckets() {
            return null;
        }

        @Override
        public Double requestsPerSecond() {
            return null;
        }

        @Override
        public String issuingCredential() {
            return identity.userId() == null ? null : JwtIdentity.USER_CREDENTIAL_PREFIX + identity.userId();
        }
    }

    /**
     * The holder of a signed URL: one operation on one object, as pinned by the token.
     *
     * @param bucketId the bucket the token was issued for (a bucket re-created under the same
     *     name is another bucket)
     * @param permission {@code READ} (GET/HEAD) or {@code WRITE} (PUT)
     * @param contentType the only media type a PUT may declare, or {@code null}
     * @param maxSize the largest body a PUT may send, or {@code null}
     * @param download file name for {@code Content-Disposition} on GET, or {@code null}
     */
    record Grant(String tenantId, String bucketId, String key, Permission permission, String contentType,
                 Long maxSize, String download, String transform) implements Principal {
        @Override
        public String actor() {
            return "signed-url";
        }
    }

    /** An anonymous reader of one tenant's public buckets. */
    record Anonymous(String tenantId) implements Principal {
        @Override
        public String actor() {
            return "anonymous";
        }
    }
}
