package io.granary.security.jwt;

import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/** Storage port for tenants' trusted issuers. {@link #insert} fails with {@code issuer_exists} on a taken issuer. */
public interface TenantIssuerRepository {

    Mono<TenantIssuer> insert(TenantIssuer issuer);

    Mono<TenantIssuer> findByIssuer(String issuer);

    Flux<TenantIssuer> findByTenant(String tenantId);

    Mono<Boolean> delete(String tenantId, String id);

    Mono<Void> deleteByTenant(String tenantId);
}
