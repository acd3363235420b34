package io.granary.image;

import io.granary.storage.BlobLocation;
import java.time.Instant;
import org.springframework.data.annotation.Id;
import org.springframework.data.mongodb.core.mapping.Document;

/**
 * One rendition of one object version, kept as an immutable blob so that every node, and every
 * restart, serves it without encoding it again.
 *
 * @param id the version id and the hash of the canonical parameters ({@link RenditionKey})
 * @param tenantId the object's tenant
 * @param bucketId the object's bucket
 * @param versionId the object version it was made from
 * @param sourceBlob the blob of that version: the sweeper deletes renditions whose source no
 *     object record points at any more
 * @param canonical the canonical parameter set ({@link RenditionSpec#canonical()})
 * @param blob where its bytes are ({@link BlobLocation#rendition})
 * @param size its length in bytes
 * @param contentType its media type
 * @param width its width in pixels ({@code 0} for a stripped original)
 * @param height its height in pixels ({@code 0} for a stripped original)
 * @param createdAt when it was made
 */
@Document("renditions")
public record StoredRendition(
        @Id String id,
        String tenantId,
        String bucketId,
        String versionId,
        String sourceBlob,
        String canonical,
        String blob,
        long size,
        String contentType,
        int width,
        int height,
        Instant createdAt) {

    public BlobLocation location() {
        return new BlobLocation(blob);
    }
}
