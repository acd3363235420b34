package io.granary.object;

import io.granary.cache.Caches;
import io.granary.cache.TwoTierCache;
import io.granary.storage.BlobContent;
import io.granary.storage.BlobLocation;
import io.granary.storage.BlobStore;
import io.granary.storage.ByteRange;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;

/**
 * Reads objects' bytes, keeping those of small objects ({@code granary.cache.object-max-size},
 * 256 KiB by default) in the two-tier cache. They are cached by blob version, which is never
 * rewritten (a new version gets a new blob), so these entries never need invalidating: a
 * replaced or deleted object is no longer reached because its metadata is invalidated.
 */
@Component
class SmallObjects {

    private final BlobStore blobs;
    private final TwoTierCache<byte[]> bytes;
    private final long maxSize;

    SmallObjects(BlobStore blobs, Caches caches) {
        this.blobs = blobs;
        this.bytes = caches.bytes("blob");
        this.maxSize = caches.objectMaxSize();
    }

    /** Whether this version's bytes are kept in the cache (and so read without touching the store once warm). */
    boolean keeps(StoredObject object) {
        return keeps(object.size());
    }

    private boolean keeps(long size) {
        return size > 0 && size <= maxSize;
    }

    /** The bytes of exactly this version (or of the range); see {@link ObjectService#open}. */
    Mono<BlobContent> open(StoredObject object, ByteRange range) {
        return open(object.location(), object.size(), range);
    }

    /**
     * The bytes of the immutable blob at {@code location}, whose record says it holds
     * {@code size} bytes (or of the range): an object's version or a rendition of one.
     */
    Mono<BlobContent> open(BlobLocation location, long size, ByteRange range) {
        if (!keeps(size)) {
            return fromStore(location, size, range);
        }
        return bytes.get(location.path(), () -> blobs.open(location, null)
                        // Joined in memory on purpose: keeps() bounds the size by
                        // granary.cache.object-max-size, and the cache holds the whole array anyway.
                        .flatMap(content -> DataBufferUtils.join(content.stream()))
                        .map(joined -> {
                            try {
                                byte[] copy = new byte[joined.readableByteCount()];
                                joined.read(copy);
                                return copy;
                            } finally {
                                DataBufferUtils.release(joined);
                            }
                        }))
                .flatMap(all -> all.length != size
                        // Not the bytes the record describes (damaged store): let the store answer.
                        ? fromStore(location, size, range)
                        : Mono.just(slice(all, range)));
    }

    /** The store's bytes, held to the record's length (cached bytes were checked above). */
    private Mono<BlobContent> fromStore(BlobLocation location, long size, ByteRange range) {
        return blobs.open(location, range)
                .map(content -> ExactLength.require(content, range == null ? size : range.length(), location));
    }

    private static BlobContent slice(byte[] all, ByteRange range) {
        return range == null ? new BlobContent.InMemory(all, 0, all.length)
                : new BlobContent.InMemory(all, (int) range.first(), (int) range.length());
    }
}
