package io.granary.security;

import java.util.List;
import java.util.Set;

/** Who is calling, as established from the request's credential. */
public sealed interface Principal {

    /** The holder of the root key: manages tenants and their keys, never touches objects. */
    record Root() implements Principal {
    }

    /**
     * A tenant's API key.
     *
     * @param buckets bucket names the key is confined to, or {@code null} for all of the tenant's
     */
    record TenantKey(String tenantId, String keyId, Set<Permission> permissions, List<String> buckets)
            implements Principal {

        public boolean allows(Permission permission) {
            return permissions.contains(Permission.ADMIN) || permissions.contains(permission);
        }

        public boolean reaches(String bucket) {
            return buckets == null || buckets.contains(bucket);
        }
    }
}
