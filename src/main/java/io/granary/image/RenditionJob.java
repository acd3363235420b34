package io.granary.image;

import java.time.Instant;
import org.springframework.data.annotation.Id;
import org.springframework.data.mongodb.core.mapping.Document;

/**
 * A rendition to make ahead of time: one preset of one uploaded image version, in the durable
 * queue any node may take it from.
 *
 * @param id the version id and the preset's name (a version's preset is queued once)
 * @param tenantId the object's tenant
 * @param bucketId the object's bucket
 * @param bucketName the bucket's name, by which the object is read
 * @param key the object's key
 * @param versionId the version it is for: a job whose version was replaced meanwhile is dropped
 * @param preset the preset's name
 * @param state {@code QUEUED}, {@code RUNNING} (taken until {@link #leaseUntil}) or {@code FAILED}
 *     (kept for inspection, never retried)
 * @param attempts how many times it was taken
 * @param availableAt when it may be taken (later after a failed attempt)
 * @param leaseUntil until when the node that took it holds it; after that another may take it
 * @param lastError why the last attempt failed, or {@code null}
 * @param createdAt when it was queued
 */
@Document("rendition_jobs")
public record RenditionJob(
        @Id String id,
        String tenantId,
        String bucketId,
        String bucketName,
        String key,
        String versionId,
        String preset,
        State state,
        int attempts,
        Instant availableAt,
        Instant leaseUntil,
        String lastError,
        Instant createdAt) {

    public enum State { QUEUED, RUNNING, FAILED }
}
