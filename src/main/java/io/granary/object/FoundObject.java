package io.granary.object;

import io.granary.bucket.Bucket;

/** The current version of an object together with the bucket it was found in. */
public record FoundObject(Bucket bucket, StoredObject object) {
}
