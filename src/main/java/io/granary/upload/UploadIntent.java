package io.granary.upload;

import io.granary.object.DirectUpload;
import java.time.Instant;
import java.util.Locale;
import org.springframework.data.annotation.Id;
import org.springframework.data.mongodb.core.mapping.Document;

/**
 * A promise to upload one object's bytes straight into the store (or to Granary's upload URL
 * where the store has none), made before any byte moves: what will arrive is fixed in
 * {@link #upload}, and the object appears only when the intent is completed and the bytes
 * pass the checks. Each state change is one conditional update of this document, so of two
 * nodes acting on one intent exactly one wins.
 *
 * @param id the upload id clients use
 * @param tenantId the tenant, also inside {@link #upload}; kept at the top for lookups
 * @param bucketId the bucket, also inside {@link #upload}
 * @param upload the planned object version and where its bytes arrive
 * @param createdBy who created it, as its audit actor ({@code key:<id>}, {@code user:<id>}, ...)
 * @param expiresAt when its URL stops working and it can no longer be completed
 * @param state where it stands
 * @param stateChangedAt when {@link #state} last changed
 * @param rejection the error code that rejected it, for {@link State#REJECTED}
 */
@Document("upload_intents")
public record UploadIntent(
        @Id String id,
        String tenantId,
        String bucketId,
        DirectUpload upload,
        String createdBy,
        Instant createdAt,
        Instant expiresAt,
        State state,
        Instant stateChangedAt,
        String rejection) {

    /**
     * The life of an intent: {@code PENDING} until completed; {@code COMPLETING} while one
     * request checks and publishes the bytes; then {@code COMPLETED}, or {@code REJECTED} (the
     * bytes did not match and were deleted), or back to {@code PENDING} (nothing had arrived,
     * quota, outage). A {@code PENDING} intent past {@link #expiresAt} becomes {@code EXPIRED}
     * when swept, and its bytes are deleted.
     */
    public enum State {
        PENDING, COMPLETING, COMPLETED, REJECTED, EXPIRED;

        /** The lowercase name clients see. */
        public String wireName() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** Whether it has passed its expiry at {@code now} (whatever its state says). */
    public boolean expiredAt(Instant now) {
        return !now.isBefore(expiresAt);
    }

    /** The state as a client sees it at {@code now}: a pending intent past its expiry is expired. */
    public State visibleState(Instant now) {
        return state == State.PENDING && expiredAt(now) ? State.EXPIRED : state;
    }
}
