package io.granary.upload;

import io.granary.object.DirectUpload;
import io.granary.storage.StoredPart;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.springframework.data.annotation.Id;
import org.springframework.data.mongodb.core.mapping.Document;

/**
 * A multipart upload: one object version assembled from parts that clients upload separately
 * (in any order, concurrently, from any node), invisible until completed. Each part write is
 * one atomic {@code $set} of {@code parts.<n>}; each state change one conditional update, so
 * of two nodes acting on one upload exactly one wins.
 *
 * @param id the upload id clients use
 * @param upload the planned object version; its {@code size} is only known on completion, its
 *     location is where the parts are joined (the store's multipart upload targets it)
 * @param storeUploadId the store's own id of the multipart upload
 * @param createdBy who started it, as its audit actor
 * @param parts the parts Granary received, by part number as a string; where the store tracks
 *     parts itself (S3) the store's list is the truth, this one a record of what passed through
 * @param completedWith the part list the completion was asked with, once one claimed it
 * @param etag the S3-form ETag of the result, once completed
 * @param rejection the error code that made the completion fail after the parts were joined
 * @param checksum the checksum chosen for the parts and the object when the upload started;
 *     {@code null} for none (and for uploads started before checksums were kept)
 */
@Document("multipart_uploads")
public record MultipartUpload(
        @Id String id,
        String tenantId,
        String bucketId,
        DirectUpload upload,
        String storeUploadId,
        String createdBy,
        Instant createdAt,
        State state,
        Instant stateChangedAt,
        Map<String, StoredPart> parts,
        List<PartRef> completedWith,
        String etag,
        String rejection,
        MultipartChecksum checksum) {

    /**
     * {@code OPEN} takes parts; {@code COMPLETING} while one request joins and publishes them
     * (back to {@code OPEN} when the parts or the rules refuse, before anything was joined);
     * then {@code COMPLETED}, or {@code FAILED} (joined, then refused: the bytes are deleted).
     * {@code ABORTED} by a client or the sweeper; its parts are freed.
     */
    public enum State {
        OPEN, COMPLETING, COMPLETED, FAILED, ABORTED;

        /** The lowercase name clients see. */
        public String wireName() {
            return name().toLowerCase(Locale.ROOT);
        }
    }
}
