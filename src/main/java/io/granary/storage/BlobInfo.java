package io.granary.storage;

import java.time.Instant;

/**
 * What a store knows about one blob without reading it.
 *
 * @param location where it lives
 * @param size its length in bytes
 * @param lastModified when the store finished writing it
 */
public record BlobInfo(BlobLocation location, long size, Instant lastModified) {
}
