package io.granary.object;

import reactor.core.publisher.Mono;

/**
 * What keeps blobs derived from object versions (image renditions): told when a version's own
 * bytes are deleted, replaced or removed, after the same grace period, so what was derived from
 * it goes too. A failure is logged and left to that feature's sweeper; it never fails a write.
 */
public interface DerivedBlobs {

    /** Deletes everything derived from {@code version}; completes when done. */
    Mono<Void> versionRetired(StoredObject version);
}
