package io.granary.object;

import io.granary.bucket.Bucket;
import java.time.Instant;
import java.util.Collection;
import java.util.Map;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Storage port for object records. Every mutation is one atomic single-document operation,
 * so it is correct on a standalone server, a replica set, a sharded cluster and the embedded
 * wire server alike.
 */
public interface ObjectRepository {

    Mono<StoredObject> find(Bucket bucket, String key);

    /**
     * Makes {@code record} the current version of its key if {@code condition} holds, in one
     * atomic step. Completes with the record it replaced, or empty when there was none; fails with
     * {@code precondition_failed} when the condition does not hold.
     */
    Mono<StoredObject> commit(StoredObject record, WriteCondition condition);

    /**
     * Replaces the editable metadata and the tags of version {@code versionId} without touching
     * the bytes (and records what its bytes were detected as, which may just have been learnt
     * for an older record); empty when that version is no longer the current one.
     */
    Mono<StoredObject> updateMetadata(Bucket bucket, String key, String versionId, String contentType, String detectedType,
                                      String cacheControl, Map<String, String> metadata, Map<String, String> tags,
                                      Instant lastModified);

    /**
     * Replaces the tags of version {@code versionId} and nothing else (not even its last-modified
     * time, as S3 keeps it on a tag change); empty when that version is no longer the current one.
     */
    Mono<StoredObject> updateTags(Bucket bucket, String key, String versionId, Map<String, String> tags);

    /**
     * Removes the current version, if {@code versionId} is given only while it is that version;
     * completes with the removed record, or empty.
     */
    Mono<StoredObject> remove(Bucket bucket, String key, String versionId);

    /**
     * Up to {@code limit} records of a bucket in key order, whose keys start with {@code prefix}
     * and lie after {@code bound} (inclusive or not).
     */
    Flux<StoredObject> page(Bucket bucket, String prefix, String bound, boolean inclusive, int limit);

    Mono<Boolean> anyInBucket(Bucket bucket);

    /** Removes every record of a bucket, emitting each removed record. */
    Flux<StoredObject> removeAllInBucket(Bucket bucket);

    /** Whether any record points at this blob path. */
    Mono<Boolean> referencesBlob(String blob);

    /** Those of {@code blobs} that some record points at (in no particular order, possibly repeated). */
    Flux<String> referencedBlobs(Collection<String> blobs);
}
