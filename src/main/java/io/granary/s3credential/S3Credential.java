package io.granary.s3credential;

import com.fasterxml.jackson.annotation.JsonIgnore;
import java.time.Instant;
import java.util.List;
import org.springframework.data.annotation.Id;
import org.springframework.data.mongodb.core.mapping.Document;

/**
 * A tenant's S3 credential as stored: scoped as an API key is, its secret sealed under the
 * master key (SigV4 verification needs the secret itself, so it cannot be hashed).
 *
 * @param accessKeyId the public half, unique across tenants: it identifies the tenant
 * @param sealedSecret the secret access key, sealed by {@link io.granary.security.SecretSealer}
 *     with the access key id as context; never serialised into an answer
 */
@Document("s3_credentials")
public record S3Credential(
        @Id String id,
        String tenantId,
        String name,
        String accessKeyId,
        List<String> permissions,
        List<String> buckets,
        Instant expiresAt,
        Instant createdAt,
        @JsonIgnore String sealedSecret,
        Double requestsPerSecond) {

    public boolean expiredAt(Instant now) {
        return expiresAt != null && !now.isBefore(expiresAt);
    }
}
