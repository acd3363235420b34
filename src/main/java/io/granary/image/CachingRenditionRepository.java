package io.granary.image;

import io.granary.cache.Caches;
import io.granary.cache.TwoTierCache;
import java.util.Collection;
import org.springframework.context.annotation.Primary;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The rendition port with lookups by id cached: one per rendition read, which would otherwise
 * cost a MongoDB round trip on every request for a kept rendition. A record never changes; it is
 * deleted only when its version is no longer current, and then no request reaches its id (reads
 * resolve the current version first), so a cached record is never served stale. Recording one
 * forgets a remembered "not there" on every node.
 */
@Primary
@Component
class CachingRenditionRepository implements RenditionRepository {

    private final MongoRenditionRepository source;
    private final TwoTierCache<StoredRendition> byId;

    CachingRenditionRepository(MongoRenditionRepository source, Caches caches) {
        this.source = source;
        this.byId = caches.metadata("rendition", StoredRendition.class);
    }

    @Override
    public Mono<StoredRendition> find(String id) {
        return byId.get(id, () -> source.find(id));
    }

    @Override
    public Mono<StoredRendition> findRecorded(String id) {
        return source.find(id);
    }

    @Override
    public Mono<StoredRendition> insertOrGet(StoredRendition rendition) {
        return source.insertOrGet(rendition).flatMap(kept -> byId.invalidate(kept.id()).thenReturn(kept));
    }

    @Override
    public Flux<StoredRendition> findBySource(String sourceBlob) {
        return source.findBySource(sourceBlob);
    }

    @Override
    public Flux<StoredRendition> findAll() {
        return source.findAll();
    }

    @Override
    public Flux<String> referencedBlobs(Collection<String> blobs) {
        return source.referencedBlobs(blobs);
    }

    @Override
    public Mono<Void> delete(String id) {
        return source.delete(id).then(byId.invalidate(id));
    }
}
