package io.granary.object;

import io.granary.bucket.Bucket;
import io.granary.common.Ids;
import io.granary.config.GranaryProperties;
import io.granary.error.ErrorCode;
import io.granary.error.GranaryException;
import io.granary.scan.UploadScan;
import io.granary.scan.UploadScanner;
import io.granary.storage.BlobContent;
import io.granary.storage.BlobLocation;
import io.granary.storage.BlobStore;
import io.granary.usage.QuotaService;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The second half of every write (upload, copy, direct upload), once the new version's bytes
 * lie complete in a fresh blob: the scanner's verdict, the quota reservation, the one atomic
 * metadata update that makes the version visible, and the retirement of the version it
 * replaced. Any failure discards the new blob unless a record already points at it. Kept in
 * one place so that every way of writing an object follows exactly the same protocol.
 */
@Component
class WriteProtocol {

    private static final Logger log = LoggerFactory.getLogger(WriteProtocol.class);

    private final ObjectRepository objects;
    private final BlobStore blobs;
    private final QuotaService quotas;
    private final UploadScanner scanner;
    private final List<DerivedBlobs> derived;
    private final Duration supersededGrace;
    private final Duration scanTimeout;

    WriteProtocol(ObjectRepository objects, BlobStore blobs, QuotaService quotas, ObjectProvider<UploadScanner> scanner,
                  ObjectProvider<DerivedBlobs> derived, GranaryProperties properties) {
        this.objects = objects;
        this.blobs = blobs;
        this.quotas = quotas;
        this.scanner = scanner.getIfAvailable(() -> UploadScanner.ACCEPT_ALL);
        this.derived = derived.orderedStream().toList();
        this.supersededGrace = properties.store().supersededGrace();
        this.scanTimeout = properties.scan().timeout();
    }

    /** Where the bytes of a new version of an object in {@code bucket} go: a location never written before. */
    static BlobLocation newVersion(Bucket bucket, String versionId) {
        return BlobLocation.of(bucket.tenantId(), bucket.id(), versionId);
    }

    /** A fresh version id. */
    static String newVersionId() {
        return Ids.newId();
    }

    /**
     * Publishes the version {@code verified} yields (its bytes already at {@code location}):
     * scan, reserve, commit if {@code condition} holds, retire the replaced version. Runs to its
     * end even if the subscriber cancels (e.g. the client hangs up), so a commit is never cut
     * off half-way. On any failure, the verification's included, the blob at {@code location}
     * is deleted unless a record points at it.
     */
    Mono<StoredObject> publish(Bucket bucket, String key, BlobLocation location, WriteCondition condition,
                               Mono<StoredObject> verified) {
        return publish(bucket, key, location, condition, verified, error -> true);
    }

    /**
     * {@link #publish(Bucket, String, BlobLocation, WriteCondition, Mono)}, but a failure
     * discards the blob only if {@code discards} says so; otherwise it is kept for another
     * attempt (whoever keeps it must see to its deletion in the end).
     */
    Mono<StoredObject> publish(Bucket bucket, String key, BlobLocation location, WriteCondition condition,
                               Mono<StoredObject> verified, Predicate<Throwable> discards) {
        // Deferred: the work starts on subscription, not when the pipeline is put together.
        return Mono.defer(() -> uninterruptible(verified
                .flatMap(record -> scanned(bucket, record).then(commit(bucket, record, condition)))
                .flatMap(committed -> published(bucket, committed).thenReturn(committed))
                .onErrorResume(error -> (discards.test(error) ? discardUnlessVisible(bucket, key, location) : Mono.<Void>empty())
                        .then(Mono.error(error)))));
    }

    /** The scanner's verdict on a stored, verified, not yet visible version. */
    private Mono<Void> scanned(Bucket bucket, StoredObject record) {
        Flux<DataBuffer> bytes = Flux.defer(() -> blobs.open(record.location(), null).flatMapMany(BlobContent::stream));
        return scanner.scan(new UploadScan(bucket.tenantId(), bucket.name(), record.key(), record.contentType(),
                        record.size(), bytes))
                // A scanner that hangs must not hang uploads: no verdict in time is a failure.
                .timeout(scanTimeout, Mono.error(() -> new GranaryException(ErrorCode.SCAN_UNAVAILABLE,
                        "The upload scanner gave no verdict within " + scanTimeout.toSeconds() + " s; retry later.")));
    }

    /**
     * Makes {@code record} visible, keeps the usage counters exact and retires the replaced
     * version's blob: with a quota on the bucket or its tenant, the growth is reserved before
     * (so the quota can refuse it); without one, it is counted after, from the version the
     * commit itself replaced.
     */
    private Mono<StoredObject> commit(Bucket bucket, StoredObject record, WriteCondition condition) {
        return quotas.limits(bucket).flatMap(limited -> limited ? reserveAndCommit(bucket, record, condition)
                : commitAndCount(bucket, record, condition));
    }

    /**
     * Without a quota nothing can refuse the write, so nothing is reserved: one round trip for
     * the commit, which returns the version it replaced, and one for both counters, which take
     * the exact difference (none at all when an overwrite keeps the size). A commit that fails
     * counts nothing, one whose outcome is unknown neither (as a reservation would be given
     * back); a process stopping between commit and count leaves the counters short by this write
     * until the next recount, as one stopping between reservation and commit leaves them over.
     */
    private Mono<StoredObject> commitAndCount(Bucket bucket, StoredObject record, WriteCondition condition) {
        return objects.commit(record, condition)
                .flatMap(previous -> quotas.count(bucket, record.size() - previous.size(), 0)
                        .then(replaced(previous, record))
                        .thenReturn(record))
                .switchIfEmpty(Mono.defer(() -> quotas.count(bucket, record.size(), 1).thenReturn(record)));
    }

    /**
     * Reserves in the quotas what the new version adds over the current one, makes
     * {@code record} visible, corrects the counters if the version actually replaced was
     * another than expected (a concurrent writer), and retires the replaced version's blob. A
     * refused commit gives its reservation back.
     */
    private Mono<StoredObject> reserveAndCommit(Bucket bucket, StoredObject record, WriteCondition condition) {
        return objects.find(bucket, record.key()).map(StoredObject::size).defaultIfEmpty(-1L).flatMap(currentSize -> {
            long expectedBytes = Math.max(currentSize, 0);
            long expectedObjects = currentSize < 0 ? 0 : 1;
            long addedBytes = record.size() - expectedBytes;
            long addedObjects = 1 - expectedObjects;
            return quotas.reserve(bucket, addedBytes, addedObjects)
                    .then(objects.commit(record, condition).onErrorResume(error ->
                            quotas.release(bucket, addedBytes, addedObjects).then(Mono.error(error))))
                    .flatMap(previous -> quotas.release(bucket, previous.size() - expectedBytes, 1 - expectedObjects)
                            .then(replaced(previous, record))
                            .thenReturn(record))
                    .switchIfEmpty(Mono.defer(() -> quotas.release(bucket, -expectedBytes, -expectedObjects)
                            .thenReturn(record)));
        });
    }

    /** Tells what derives from versions that {@code version} is visible; never fails the write. */
    private Mono<Void> published(Bucket bucket, StoredObject version) {
        return Flux.fromIterable(derived).concatMap(blobs -> blobs.versionPublished(bucket, version)
                .onErrorResume(error -> {
                    log.warn("could not announce {} to what derives from it: {}", version.location(), error.toString());
                    return Mono.empty();
                })).then();
    }

    /** Retires the blob of {@code previous}, which {@code record} replaced. */
    private Mono<Void> replaced(StoredObject previous, StoredObject record) {
        // The same version committed again (a repeated completion) replaced itself: its bytes
        // are the current ones and must stay.
        return previous.blob().equals(record.blob()) ? Mono.empty() : retire(previous);
    }

    /**
     * Deletes the blob of a version that is no longer visible, and what was derived from it,
     * after the grace period: a reader that resolved the version just before it was replaced
     * still gets to open its bytes. A process that stops meanwhile leaves unreferenced blobs,
     * which the sweepers reclaim.
     */
    Mono<Void> retire(StoredObject version) {
        Mono<Void> deletion = deleteQuietly(version.location())
                .then(Flux.fromIterable(derived).concatMap(blobs -> blobs.versionRetired(version)
                        .onErrorResume(error -> {
                            log.warn("could not delete what was derived from {}; its sweeper will: {}", version.location(),
                                    error.toString());
                            return Mono.empty();
                        })).then());
        if (supersededGrace.isZero()) {
            return deletion;
        }
        Mono.delay(supersededGrace).then(deletion).subscribe();
        return Mono.empty();
    }

    /**
     * After a failed or cancelled write: deletes the new blob unless a record already points at
     * it (the metadata update may have succeeded even though its answer was lost).
     */
    Mono<Void> discardUnlessVisible(Bucket bucket, String key, BlobLocation location) {
        return objects.find(bucket, key)
                .map(current -> current.blob().equals(location.path()))
                .defaultIfEmpty(false)
                .onErrorReturn(true) // cannot tell: keep the blob, the sweeper decides later
                .flatMap(visible -> visible ? Mono.<Void>empty() : deleteQuietly(location));
    }

    /** Deletes a blob unless any record points at it (when that cannot be told, it is kept). */
    Mono<Void> discardUnlessReferenced(BlobLocation location) {
        return objects.referencesBlob(location.path())
                .onErrorReturn(true) // cannot tell: keep the blob, the sweeper decides later
                .flatMap(referenced -> referenced ? Mono.<Void>empty() : deleteQuietly(location));
    }

    Mono<Void> deleteQuietly(BlobLocation location) {
        return blobs.delete(location).onErrorResume(error -> {
            log.warn("could not delete blob {}; the orphan sweeper will reclaim it: {}", location, error.toString());
            return Mono.empty();
        });
    }

    /**
     * Runs {@code work} to completion even if the subscriber cancels (e.g. the client hangs up).
     * It starts at once: call it inside {@link Mono#defer}.
     */
    static <T> Mono<T> uninterruptible(Mono<T> work) {
        return Mono.fromFuture(work.toFuture(), true);
    }

    /** Stored beside the bytes so the catalogue could be rebuilt from the store alone. */
    static Map<String, String> blobMetadata(Bucket bucket, String key) {
        return blobMetadata(bucket.tenantId(), bucket.name(), key);
    }

    static Map<String, String> blobMetadata(String tenantId, String bucketName, String key) {
        return Map.of("tenant", tenantId, "bucket", bucketName, "key", URLEncoder.encode(key, StandardCharsets.UTF_8));
    }

    static Instant now() {
        return Instant.now().truncatedTo(ChronoUnit.MILLIS);
    }
}
