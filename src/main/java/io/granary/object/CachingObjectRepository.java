package io.granary.object;

import io.granary.bucket.Bucket;
import io.granary.cache.Caches;
import io.granary.cache.TwoTierCache;
import java.time.Instant;
import java.util.Collection;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import org.springframework.context.annotation.Primary;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The object-record port with the current version of a key cached (GET and HEAD read it, and
 * conditional requests are answered from it alone). Every change of a key, succeeded or of
 * unknown outcome, invalidates it on all nodes before the change completes, so no node serves
 * a replaced or deleted version's metadata once the writer has its answer.
 */
@Primary
@Component
class CachingObjectRepository implements ObjectRepository {

    private final MongoObjectRepository source;
    private final TwoTierCache<StoredObject> current;

    CachingObjectRepository(MongoObjectRepository source, Caches caches) {
        this.source = source;
        this.current = caches.metadata("object", StoredObject.class);
    }

    @Override
    public Mono<StoredObject> find(Bucket bucket, String key) {
        return current.get(key(bucket.id(), key), () -> source.find(bucket, key));
    }

    @Override
    public Mono<StoredObject> commit(StoredObject record, WriteCondition condition) {
        return changing(key(record.bucketId(), record.key()), () -> source.commit(record, condition));
    }

    @Override
    public Mono<StoredObject> updateMetadata(Bucket bucket, String key, String versionId, String contentType, String detectedType,
                                             String cacheControl, Map<String, String> metadata, Map<String, String> tags,
                                             Instant lastModified) {
        return changing(key(bucket.id(), key), () -> source.updateMetadata(bucket, key, versionId, contentType, detectedType,
                cacheControl, metadata, tags, lastModified));
    }

    @Override
    public Mono<StoredObject> updateTags(Bucket bucket, String key, String versionId, Map<String, String> tags) {
        return changing(key(bucket.id(), key), () -> source.updateTags(bucket, key, versionId, tags));
    }

    @Override
    public Mono<StoredObject> remove(Bucket bucket, String key, String versionId) {
        return changing(key(bucket.id(), key), () -> source.remove(bucket, key, versionId));
    }

    @Override
    public Flux<StoredObject> page(Bucket bucket, String prefix, String bound, boolean inclusive, int limit) {
        return source.page(bucket, prefix, bound, inclusive, limit);
    }

    @Override
    public Mono<Boolean> anyInBucket(Bucket bucket) {
        return source.anyInBucket(bucket);
    }

    @Override
    public Flux<StoredObject> removeAllInBucket(Bucket bucket) {
        return source.removeAllInBucket(bucket)
                .concatMap(removed -> current.invalidate(key(removed.bucketId(), removed.key())).thenReturn(removed));
    }

    @Override
    public Mono<Boolean> referencesBlob(String blob) {
        return source.referencesBlob(blob);
    }

    @Override
    public Flux<String> referencedBlobs(Collection<String> blobs) {
        return source.referencedBlobs(blobs);
    }

    /** Runs a change of one key, then invalidates that key whether the change succeeded or its outcome is unknown. */
    private <T> Mono<T> changing(String key, Supplier<Mono<T>> change) {
        return change.get()
                .map(Optional::of)
                .defaultIfEmpty(Optional.empty())
                .onErrorResume(error -> current.invalidate(key).then(Mono.error(error)))
                .flatMap(result -> current.invalidate(key).then(Mono.justOrEmpty(result)));
    }

    private static String key(String bucketId, String key) {
        return bucketId + "/" + key;
    }
}
