package io.granary.security.jwt;

import java.time.Instant;
import org.springframework.data.annotation.Id;
import org.springframework.data.mongodb.core.mapping.Document;

/**
 * An OIDC issuer one tenant trusts for its own people: its tokens act in that tenant only,
 * whatever they claim, and can make tenant admins and members, never system admins.
 *
 * @param issuer the exact {@code iss}; unique, so one issuer serves one tenant
 * @param jwkSetUri where its keys are, or {@code null} to find them by OIDC discovery
 * @param audience the {@code aud} its tokens must carry
 */
@Document("tenant_issuers")
public record TenantIssuer(@Id String id, String tenantId, String issuer, String jwkSetUri, String audience, Instant createdAt) {
}
