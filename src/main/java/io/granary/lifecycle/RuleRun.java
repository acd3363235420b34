package io.granary.lifecycle;

import io.granary.audit.AuditEventType;
import io.granary.audit.AuditLog;
import io.granary.bucket.Bucket;
import io.granary.bucket.LifecycleRule;
import io.granary.object.ObjectService;
import io.granary.object.StoredObject;
import io.granary.upload.IncompleteUploads;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;

/**
 * Applies one lifecycle rule of one bucket as of a given instant: deletes the objects under its
 * prefix whose current version was last modified more than {@code expireAfterDays} before, and
 * aborts the uploads under it begun more than {@code abortIncompleteUploadsAfterDays} before.
 * Objects are read {@value #PAGE} at a time in key order and deleted through
 * {@link ObjectService#expire}, the path of an API delete; a run that removed anything records
 * one {@code lifecycle_applied} audit event with the counts.
 */
@Component
class RuleRun {

    /** Objects read per query. */
    static final int PAGE = 500;
    /** Objects deleted at once. */
    private static final int CONCURRENCY = 4;
    /** Who the audit log names as the actor. */
    static final String ACTOR = "lifecycle";

    private final ObjectService objects;
    private final IncompleteUploads uploads;
    private final AuditLog audit;

    RuleRun(ObjectService objects, IncompleteUploads uploads, AuditLog audit) {
        this.objects = objects;
        this.uploads = uploads;
        this.audit = audit;
    }

    /** What one rule's run removed. */
    record Removed(long objects, long uploads) {

        static final Removed NONE = new Removed(0, 0);

        Removed plus(Removed other) {
            return new Removed(objects + other.objects, uploads + other.uploads);
        }
    }

    /** Applies {@code rule} as of {@code now}; stops between two objects once {@code stopping} says so. */
    Mono<Removed> apply(Bucket bucket, LifecycleRule rule, Instant now, BooleanSupplier stopping) {
        Mono<Long> deleted = rule.expireAfterDays() == null ? Mono.just(0L)
                : expire(bucket, rule.prefix(), now.minus(Duration.ofDays(rule.expireAfterDays())), stopping);
        Mono<Long> aborted = rule.abortIncompleteUploadsAfterDays() == null ? Mono.just(0L)
                : Mono.defer(() -> stopping.getAsBoolean() ? Mono.just(0L) : uploads.abortBegunBefore(bucket, rule.prefix(),
                        now.minus(Duration.ofDays(rule.abortIncompleteUploadsAfterDays())), now));
        return deleted.zipWith(aborted, Removed::new).flatMap(removed -> removed.equals(Removed.NONE) ? Mono.just(removed)
                : audit.record(ACTOR, bucket.tenantId(), AuditEventType.LIFECYCLE_APPLIED, "bucket:" + bucket.name(),
                        Map.of("rule", rule.id(), "prefix", rule.prefix(), "deleted", Long.toString(removed.objects()),
                                "aborted", Long.toString(removed.uploads()))).thenReturn(removed));
    }

    /** Deletes what was last modified before {@code cutoff}, page by page; completes with how many went. */
    private Mono<Long> expire(Bucket bucket, String prefix, Instant cutoff, BooleanSupplier stopping) {
        return page(bucket, prefix, null)
                .expand(page -> page.size() < PAGE || stopping.getAsBoolean() ? Mono.empty()
                        : page(bucket, prefix, page.get(page.size() - 1).key()))
                .concatMapIterable(page -> page)
                .takeWhile(object -> !stopping.getAsBoolean())
                .filter(object -> object.lastModified().isBefore(cutoff))
                .flatMap(object -> objects.expire(bucket, object), CONCURRENCY)
                .filter(Boolean::booleanValue)
                .count();
    }

    private Mono<List<StoredObject>> page(Bucket bucket, String prefix, String afterKey) {
        return objects.page(bucket, prefix, afterKey, PAGE).collectList();
    }
}
