package io.granary.tenant;

import java.time.Instant;
import org.springframework.data.annotation.Id;
import org.springframework.data.mongodb.core.mapping.Document;

/**
 * A tenant: the owner of buckets and API keys, and the unit of isolation.
 *
 * @param name unique, lowercase DNS-label-like name (it appears in public URLs)
 */
@Document("tenants")
public record Tenant(@Id String id, String name, Instant createdAt) {
}
