package io.granary.security;

import java.util.List;
import java.util.Set;

/** Who is calling, as established from the request's credential. */
public sealed interface Principal {

    /** The tenant whose data the principal may reach, or {@code null} for root. */
    String tenantId();

    /** The holder of the root key: manages tenants and their keys, never touches objects. */
    record Root() implements Principal {
        @Override
        public String tenantId() {
            return null;
        }
    }

    /**
     * A tenant's API key.
     *
     * @param buckets bucket names the key is confined to, or {@code null} for all of the tenant's
     * @param requestsPerSecond the key's own rate limit, or {@code null} for the default
     */
    record TenantKey(String tenantId, String keyId, Set<Permission> permissions, List<String> buckets,
                     Double requestsPerSecond) implements Principal {

        public boolean allows(Permission permission) {
            return permissions.contains(Permission.ADMIN) || permissions.contains(permission);
        }

        public boolean reaches(String bucket) {
            return buckets == null || buckets.contains(bucket);
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
                 Long maxSize, String download) implements Principal {
    }

    /** An anonymous reader of one tenant's public buckets. */
    record Anonymous(String tenantId) implements Principal {
    }
}
