package io.granary.security.jwt;

import io.granary.cache.Caches;
import io.granary.cache.TwoTierCache;
import org.springframework.context.annotation.Primary;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The tenant-issuer port with lookups by issuer cached, "not registered" included (briefly): every
 * token of an issuer that is not a global one asks, and anyone can send tokens naming made-up
 * issuers. Registering and removing invalidate on all nodes.
 */
@Primary
@Component
class CachingTenantIssuerRepository implements TenantIssuerRepository {

    private final MongoTenantIssuerRepository source;
    private final TwoTierCache<TenantIssuer> byIssuer;

    CachingTenantIssuerRepository(MongoTenantIssuerRepository source, Caches caches) {
        this.source = source;
        this.byIssuer = caches.metadata("tenant-issuer", TenantIssuer.class);
    }

    @Override
    public Mono<TenantIssuer> insert(TenantIssuer issuer) {
        return source.insert(issuer).flatMap(created -> byIssuer.invalidate(created.issuer()).thenReturn(created));
    }

    @Override
    public Mono<TenantIssuer> findByIssuer(String issuer) {
        return byIssuer.get(issuer, () -> source.findByIssuer(issuer));
    }

    @Override
    public Flux<TenantIssuer> findByTenant(String tenantId) {
        return source.findByTenant(tenantId);
    }

    @Override
    public Mono<Boolean> delete(String tenantId, String id) {
        return source.findByTenant(tenantId).filter(issuer -> issuer.id().equals(id)).next()
                .flatMap(issuer -> source.delete(tenantId, id)
                        .flatMap(removed -> byIssuer.invalidate(issuer.issuer()).thenReturn(removed)))
                .defaultIfEmpty(false);
    }

    @Override
    public Mono<Void> deleteByTenant(String tenantId) {
        return source.findByTenant(tenantId).map(TenantIssuer::issuer).collectList()
                .flatMap(issuers -> source.deleteByTenant(tenantId)
                        .then(Flux.fromIterable(issuers).concatMap(byIssuer::invalidate).then()));
    }
}
