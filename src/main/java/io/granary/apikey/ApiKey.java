package io.granary.apikey;

import com.fasterxml.jackson.annotation.JsonIgnore;
import java.time.Instant;
import java.util.List;
import org.springframework.data.annotation.Id;
import org.springframework.data.mongodb.core.mapping.Document;

/**
 * A tenant's API key as stored: only a digest of its secret is kept.
 *
 * @param permissions wire names of the granted permissions
 * @param buckets bucket names the key is confined to, or {@code null} for every bucket of the tenant
 * @param expiresAt when the key stops working, or {@code null} for never
 * @param requestsPerSecond the key's own rate limit, or {@code null} for the default
 */
@Document("api_keys")
public record ApiKey(
        @Id String id,
        String tenantId,
        String name,
        List<String> permissions,
        List<String> buckets,
        Instant expiresAt,
        Instant createdAt,
        @JsonIgnore String secretDigest,
        Double requestsPerSecond) {

    public boolean expiredAt(Instant now) {
        return expiresAt != null && !now.isBefore(expiresAt);
    }
}
