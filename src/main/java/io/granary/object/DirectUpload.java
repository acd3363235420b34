package io.granary.object;

import io.granary.common.Ids;
import io.granary.storage.BlobLocation;
import java.util.Map;

/**
 * An object version whose bytes a client sends straight into the store (or to Granary's own
 * upload URL where the store has none) instead of through an object {@code PUT}: everything
 * about it is validated and fixed in advance ({@link DirectUploadService#plan}), and it
 * becomes visible only once its bytes have been checked ({@link DirectUploadService#complete}).
 *
 * @param bucketName the bucket's name when planned, stored beside the bytes as a recovery aid
 * @param size the exact number of bytes the client must send
 * @param contentType the normalized media type the bytes are declared as
 * @param cacheControl {@code Cache-Control} to serve the object with, or {@code null}
 * @param metadata user metadata (names without the {@code X-Meta-} prefix)
 * @param tags the version's tags; records planned before tags existed have none (an empty map)
 * @param versionId the version the upload becomes; its blob location is {@link #location()}
 * @param staging store path where the client's bytes arrive: the version's own location when
 *     Granary receives them itself, a separate one when they come through a store URL that
 *     could be used again (they are then copied to {@link #location()} before being checked)
 */
public record DirectUpload(
        String tenantId,
        String bucketId,
        String bucketName,
        String key,
        long size,
        String contentType,
        String cacheControl,
        Map<String, String> metadata,
        Map<String, String> tags,
        String versionId,
        String staging) {

    public DirectUpload {
        tags = tags == null ? Map.of() : tags;
    }

    /** Where the version's bytes finally lie: a location written once and never by a client. */
    public BlobLocation location() {
        return BlobLocation.of(tenantId, bucketId, versionId);
    }

    /** Where the client's bytes arrive. */
    public BlobLocation stagingLocation() {
        return new BlobLocation(staging);
    }

    /** Whether the bytes arrive somewhere else than their final location. */
    public boolean staged() {
        return !staging.equals(location().path());
    }

    /** This upload with its bytes arriving at a fresh location of their own. */
    public DirectUpload stagedElsewhere() {
        return new DirectUpload(tenantId, bucketId, bucketName, key, size, contentType, cacheControl, metadata, tags, versionId,
                BlobLocation.of(tenantId, bucketId, Ids.newId()).path());
    }

    /** This upload with its size fixed at last: a multipart upload knows it only on completion. */
    public DirectUpload withSize(long newSize) {
        return new DirectUpload(tenantId, bucketId, bucketName, key, newSize, contentType, cacheControl, metadata, tags, versionId,
                staging);
    }
}
