package io.granary.bucket;

import io.granary.cache.Caches;
import io.granary.cache.TwoTierCache;
import java.util.Map;
import org.springframework.context.annotation.Primary;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The bucket port with lookups by name cached (every object request makes one). Every write
 * passes through here and invalidates what it changed, on all nodes, before it completes.
 */
@Primary
@Component
class CachingBucketRepository implements BucketRepository {

    private final MongoBucketRepository source;
    private final TwoTierCache<Bucket> byName;
    private final TwoTierCache<BucketOwners> owners;

    CachingBucketRepository(MongoBucketRepository source, Caches caches) {
        this.source = source;
        this.byName = caches.metadata("bucket", Bucket.class);
        this.owners = caches.metadata("bucket-owners", BucketOwners.class);
    }

    @Override
    public Mono<Bucket> insert(Bucket bucket) {
        // A lookup just before may have remembered "no such bucket".
        return source.insert(bucket).flatMap(created -> byName.invalidate(key(created))
                .then(owners.invalidate(created.name())).thenReturn(created));
    }

    @Override
    public Mono<Bucket> find(String tenantId, String name) {
        return byName.get(tenantId + "/" + name, () -> source.find(tenantId, name));
    }

    @Override
    public Flux<Bucket> findByTenant(String tenantId) {
        return source.findByTenant(tenantId);
    }

    @Override
    public Mono<BucketOwners> ownersOf(String name) {
        return owners.get(name, () -> source.ownersOf(name));
    }

    @Override
    public Mono<Long> countByTenant(String tenantId) {
        return source.countByTenant(tenantId);
    }

    @Override
    public Flux<Bucket> withLifecycleRules() {
        return source.withLifecycleRules();
    }

    @Override
    public Mono<Bucket> update(String id, Map<String, Object> fields) {
        return source.update(id, fields).flatMap(before -> byName.invalidate(key(before)).thenReturn(before));
    }

    @Override
    public Mono<Boolean> delete(Bucket bucket) {
        return source.delete(bucket).flatMap(removed -> byName.invalidate(key(bucket))
                .then(owners.invalidate(bucket.name())).thenReturn(removed));
    }

    private static String key(Bucket bucket) {
        return bucket.tenantId() + "/" + bucket.name();
    }
}
