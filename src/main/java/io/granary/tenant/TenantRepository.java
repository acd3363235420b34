package io.granary.tenant;

import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/** Storage port for tenants. {@link #insert} fails with {@code tenant_exists} on a duplicate name. */
public interface TenantRepository {

    Mono<Tenant> insert(Tenant tenant);

    Mono<Tenant> findById(String id);

    Mono<Tenant> findByName(String name);

    Flux<Tenant> findAll();

    /** Sets the quotas; completes with the updated tenant, or empty when it is gone. */
    Mono<Tenant> updateQuotas(String id, Long quotaBytes, Long quotaObjects);

    /** Completes with whether a tenant was removed. */
    Mono<Boolean> delete(String id);
}
