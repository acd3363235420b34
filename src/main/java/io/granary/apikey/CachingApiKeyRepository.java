package io.granary.apikey;

import io.granary.cache.Caches;
import io.granary.cache.TwoTierCache;
import java.time.Instant;
import java.util.List;
import org.springframework.context.annotation.Primary;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The API-key port with lookups by id cached: the hottest path, one per authenticated request.
 * Revoking a key (or deleting its tenant) invalidates it on every node before the revocation
 * answers, so a revoked key stops working at once everywhere. Expiry needs no invalidation: it
 * is checked against the cached record on every use.
 */
@Primary
@Component
class CachingApiKeyRepository implements ApiKeyRepository {

    /**
     * The cached form, with the secret's digest (the API form hides it). The digest of a 256-bit
     * random secret reveals nothing usable, in Redis as in MongoDB.
     */
    record Cached(String id, String tenantId, String name, List<String> permissions, List<String> buckets,
                  Instant expiresAt, Instant createdAt, String secretDigest, Double requestsPerSecond) {

        static Cached of(ApiKey key) {
            return new Cached(key.id(), key.tenantId(), key.name(), key.permissions(), key.buckets(), key.expiresAt(),
                    key.createdAt(), key.secretDigest(), key.requestsPerSecond());
        }

        ApiKey key() {
            return new ApiKey(id, tenantId, name, permissions, buckets, expiresAt, createdAt, secretDigest, requestsPerSecond);
        }
    }

    private final MongoApiKeyRepository source;
    private final TwoTierCache<Cached> byId;

    CachingApiKeyRepository(MongoApiKeyRepository source, Caches caches) {
        this.source = source;
        this.byId = caches.metadata("apikey", Cached.class);
    }

    @Override
    public Mono<ApiKey> insert(ApiKey key) {
        return source.insert(key).flatMap(created -> byId.invalidate(created.id()).thenReturn(created));
    }

    @Override
    public Mono<ApiKey> findById(String id) {
        return byId.get(id, () -> source.findById(id).map(Cached::of)).map(Cached::key);
    }

    @Override
    public Flux<ApiKey> findByTenant(String tenantId) {
        return source.findByTenant(tenantId);
    }

    @Override
    public Mono<Boolean> delete(String tenantId, String id) {
        return source.delete(tenantId, id).flatMap(removed -> byId.invalidate(id).thenReturn(removed));
    }

    @Override
    public Mono<Void> deleteByTenant(String tenantId) {
        return source.findByTenant(tenantId).map(ApiKey::id).collectList()
                .flatMap(ids -> source.deleteByTenant(tenantId)
                        .then(Flux.fromIterable(ids).concatMap(byId::invalidate).then()));
    }
}
