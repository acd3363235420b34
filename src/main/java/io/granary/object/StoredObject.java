package io.granary.object;

import io.granary.storage.BlobLocation;
import io.granary.storage.ByteRange;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.springframework.data.annotation.Id;
import org.springframework.data.mongodb.core.mapping.Document;

/**
 * The catalogue record of one object: the current version of a key in a bucket. The record
 * is the single source of truth for visibility: bytes at {@link #blob} exist before the record
 * points at them and are deleted only after it stops doing so.
 *
 * @param etag hex MD5 of the bytes (unquoted)
 * @param sha256 hex SHA-256 of the bytes
 * @param detectedType what the first bytes were detected as by magic numbers
 *     ({@code text/plain} or {@code application/octet-stream} when unrecognised); {@code null}
 *     for an empty object and for records written before detection was recorded
 * @param metadata user metadata, lowercase names without the {@code x-meta-} prefix
 * @param tags the version's tags ({@link ObjectTags}); never {@code null} here: records written
 *     before tags existed have none, which reads as an empty map
 * @param versionId id of this version; also the last segment of {@link #blob}
 * @param blob store path of the bytes
 * @param partSizes the sizes of the parts a multipart upload was completed from, in order (what
 *     S3's {@code partNumber} reads address); {@code null} for an object written whole
 * @param checksum the whole object's checksum its writer sent, or {@code null}
 */
@Document("objects")
public record StoredObject(
        @Id String id,
        String tenantId,
        String bucketId,
        String key,
        long size,
        String etag,
        String sha256,
        String contentType,
        String detectedType,
        String cacheControl,
        Map<String, String> metadata,
        Map<String, String> tags,
        String versionId,
        String blob,
        Instant lastModified,
        List<Long> partSizes,
        ObjectChecksum checksum) {

    public StoredObject {
        tags = tags == null ? Map.of() : tags;
    }

    /**
     * Whether the object has a part {@code number} (from 1): an object completed from parts has
     * as many as it was completed from, one written whole (even empty) has one.
     */
    public boolean hasPart(int number) {
        return number >= 1 && number <= partCount();
    }

    /**
     * The bytes of part {@code number} (from 1), or empty when it holds none (an empty object's
     * one part) or there is no such part ({@link #hasPart}).
     */
    public Optional<ByteRange> part(int number) {
        List<Long> sizes = partSizes == null ? List.of(size) : partSizes;
        if (!hasPart(number) || sizes.get(number - 1) == 0) {
            return Optional.empty();
        }
        long first = sizes.subList(0, number - 1).stream().mapToLong(Long::longValue).sum();
        return Optional.of(new ByteRange(first, first + sizes.get(number - 1) - 1));
    }

    /** How many parts the object was completed from; 1 for one written whole. */
    public int partCount() {
        return partSizes == null ? 1 : partSizes.size();
    }

    public BlobLocation location() {
        return new BlobLocation(blob);
    }

    /** This record with other declared attributes (the bytes, and what was learnt of them, stay). */
    StoredObject withAttributes(String newContentType, String newCacheControl, Map<String, String> newMetadata,
                                Map<String, String> newTags) {
        return new StoredObject(id, tenantId, bucketId, key, size, etag, sha256, newContentType, detectedType, newCacheControl,
                newMetadata, newTags, versionId, blob, lastModified, partSizes, checksum);
    }

    /** This record with the detected type filled in. */
    StoredObject withDetectedType(String detected) {
        return new StoredObject(id, tenantId, bucketId, key, size, etag, sha256, contentType, detected, cacheControl,
                metadata, tags, versionId, blob, lastModified, partSizes, checksum);
    }

    /** The ETag as sent in headers: the quoted hex MD5. */
    public String quotedEtag() {
        return "\"" + etag + "\"";
    }
}
