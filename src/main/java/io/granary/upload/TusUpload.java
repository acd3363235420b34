package io.granary.upload;

import java.time.Instant;
import org.springframework.data.annotation.Id;
import org.springframework.data.mongodb.core.mapping.Document;

/**
 * The tus view of one multipart upload (same id): how many bytes are durably stored, and where
 * the trailing piece that does not fill a whole part yet lives. Every node reads and changes it
 * only through conditional single-document updates, so a resumed upload can continue anywhere.
 *
 * <p>Bytes {@code [0, offset)} are stored as parts {@code 1..offset/partSize} of the multipart
 * upload (each exactly {@code partSize} bytes) followed, when {@code offset % partSize > 0}, by
 * the tail blob at {@code tailPath} holding the remaining {@code offset % partSize} bytes.
 *
 * @param length the declared {@code Upload-Length}, or {@code null} while deferred
 * @param partSize the part size this upload was started with (fixed for its life, whatever
 *     the nodes' configuration later says)
 * @param metadata the {@code Upload-Metadata} header as the client sent it, echoed by HEAD
 * @param tailPath the store path of the tail blob, or {@code null} when the offset is on a part boundary
 * @param completed whether the object was published through the multipart completion
 * @param lockOwner the PATCH request currently writing, if any
 * @param lockUntil when that lock lapses unless renewed
 */
@Document("tus_uploads")
public record TusUpload(
        @Id String id,
        String tenantId,
        String bucketId,
        Long length,
        long offset,
        long partSize,
        String metadata,
        String tailPath,
        Instant createdAt,
        Instant expiresAt,
        boolean completed,
        String lockOwner,
        Instant lockUntil) {

    /** Bytes held by the tail blob. */
    public long tailSize() {
        return offset % partSize;
    }

    /** Parts that are complete and final. */
    public int fullParts() {
        return (int) (offset / partSize);
    }
}
