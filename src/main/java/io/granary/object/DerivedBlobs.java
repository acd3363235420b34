package io.granary.object;

import io.granary.bucket.Bucket;
import reactor.core.publisher.Mono;

/**
 * What keeps blobs derived from object versions (image renditions): told when a version becomes
 * visible, so it may derive ahead of time, and when its own bytes are deleted (replaced or
 * removed, after the same grace period), so what was derived from it goes too. A failure is
 * logged and left to that feature's own recovery; it never fails a write.
 */
public interface DerivedBlobs {

    /**
     * {@code version} of an object in {@code bucket} was just made visible (by any way of writing).
     * Should be quick: work that takes long belongs in a queue.
     */
    default Mono<Void> versionPublished(Bucket bucket, StoredObject version) {
        return Mono.empty();
    }

    /** Deletes everything derived from {@code version}; completes when done. */
    default Mono<Void> versionRetired(StoredObject version) {
        return Mono.empty();
    }
}
