package io.granary.tenant;

import io.granary.cache.Caches;
import io.granary.cache.TwoTierCache;
import org.springframework.context.annotation.Primary;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The tenant port with lookups by id (quota checks, JWT users) and by name (public buckets, JWT
 * claims) cached; writes invalidate both, on all nodes, before they complete.
 */
@Primary
@Component
class CachingTenantRepository implements TenantRepository {

    private final MongoTenantRepository source;
    private final TwoTierCache<Tenant> byId;
    private final TwoTierCache<Tenant> byName;

    CachingTenantRepository(MongoTenantRepository source, Caches caches) {
        this.source = source;
        this.byId = caches.metadata("tenant", Tenant.class);
        this.byName = caches.metadata("tenant-name", Tenant.class);
    }

    @Override
    public Mono<Tenant> insert(Tenant tenant) {
        return source.insert(tenant).flatMap(created -> forget(created).thenReturn(created));
    }

    @Override
    public Mono<Tenant> findById(String id) {
        return byId.get(id, () -> source.findById(id));
    }

    @Override
    public Mono<Tenant> findByName(String name) {
        return byName.get(name, () -> source.findByName(name));
    }

    @Override
    public Flux<Tenant> findAll() {
        return source.findAll();
    }

    @Override
    public Mono<Tenant> updateQuotas(String id, Long quotaBytes, Long quotaObjects) {
        return source.updateQuotas(id, quotaBytes, quotaObjects).flatMap(updated -> forget(updated).thenReturn(updated));
    }

    @Override
    public Mono<Boolean> delete(String id) {
        return source.findById(id)
                .flatMap(tenant -> source.delete(id).flatMap(removed -> forget(tenant).thenReturn(removed)))
                .defaultIfEmpty(false);
    }

    private Mono<Void> forget(Tenant tenant) {
        return byId.invalidate(tenant.id()).then(byName.invalidate(tenant.name()));
    }
}
