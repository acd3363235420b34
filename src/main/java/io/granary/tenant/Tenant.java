package io.granary.tenant;

import java.time.Instant;
import org.springframework.data.annotation.Id;
import org.springframework.data.mongodb.core.mapping.Document;

/**
 * A tenant: the owner of buckets and API keys, and the unit of isolation.
 *
 * @param name unique, lowercase DNS-label-like name (it appears in public URLs)
 * @param quotaBytes most bytes its objects may take together, or {@code null} for no limit
 * @param quotaObjects most objects it may hold, or {@code null} for no limit
 */
@Document("tenants")
public record Tenant(@Id String id, String name, Instant createdAt, Long quotaBytes, Long quotaObjects) {
}
