package io.granary.upload;

import io.granary.audit.AuditEventType;
import io.granary.audit.AuditLog;
import io.granary.bucket.Bucket;
import io.granary.bucket.BucketService;
import io.granary.common.Ids;
import io.granary.config.GranaryProperties;
import io.granary.error.ErrorCode;
import io.granary.error.GranaryException;
import io.granary.object.DirectUpload;
import io.granary.object.DirectUploadService;
import io.granary.object.ObjectChecksum;
import io.granary.object.ObjectRepository;
import io.granary.object.StoredObject;
import io.granary.security.Permission;
import io.granary.security.Principal;
import io.granary.storage.MultipartStore;
import io.granary.storage.PresignedPut;
import io.granary.storage.StoredPart;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.stereotype.Service;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Multipart uploads, for any front-end (the REST API, resumable uploads, an S3 protocol):
 * {@link #start}, {@link #uploadPart} (any order, concurrently, from any node), {@link #listParts},
 * {@link #complete} or {@link #abort}. Every step is for a tenant's key or user with
 * {@code write} on the bucket; another tenant's or bucket's upload is simply not found. Nothing
 * is visible before completion, which applies the rules of an object {@code PUT} (type
 * allowlist and sniffing, size limit, quotas, the upload scanner, overwrite, cache
 * invalidation) through {@link DirectUploadService}, and whose result has S3's multipart ETag.
 *
 * <p>Completion is one conditional state change ({@code open} to {@code completing}) naming
 * the part list: repeating it with the same list answers with the same object while it is
 * current; another list, or an abort meanwhile, is 409 {@code upload_not_pending}. Refusals
 * before the parts are joined (parts, sizes, type, quota) leave the upload open.
 */
@Service
public class MultipartService {

    private static final Logger log = LoggerFactory.getLogger(MultipartService.class);

    private final BucketService buckets;
    private final DirectUploadService uploads;
    private final ObjectRepository objects;
    private final MultipartUploadRepository repository;
    private final MultipartStore store;
    private final MultipartLister lister;
    private final MultipartParts parts;
    private final AuditLog audit;
    private final long minPartSize;
    private final Duration expireAfter;
    private final Duration partUrlTtl;

    MultipartService(BucketService buckets, DirectUploadService uploads, ObjectRepository objects,
                     MultipartUploadRepository repository, MultipartStore store, AuditLog audit,
                     GranaryProperties properties) {
        this.buckets = buckets;
        this.uploads = uploads;
        this.objects = objects;
        this.repository = repository;
        this.store = store;
        this.lister = new MultipartLister(repository);
        this.parts = new MultipartParts(repository, store);
        this.audit = audit;
        this.minPartSize = properties.multipart().minPartSize().toBytes();
        this.expireAfter = properties.multipart().expireAfter();
        this.partUrlTtl = properties.multipart().partUrlTtl();
    }

    /**
     * The bucket's open uploads whose keys start with {@code prefix}, for a tenant's key or user
     * with {@code write} on the bucket (as every other step): ordered by key, then by start time;
     * with a {@code delimiter}, keys with more after the prefix roll up into common prefixes. At
     * most {@code limit} (capped at {@link OpenUploads#MAX_PER_PAGE}) uploads and prefixes together. The page
     * starts after {@code afterKey} (every upload of it), or, with {@code afterUploadId}, just
     * after that upload of it; a key that rolls up into a common prefix starts after that whole
     * prefix, which was listed already. Pass a page's {@code nextKey} and {@code nextUploadId}
     * back for the next one. 400 {@code invalid_request} for an {@code afterUploadId} that is
     * no upload id.
     */
    public Mono<OpenUploads> listOpen(Principal principal, String bucketName, String prefix, String delimiter, int limit,
                                      String afterKey, String afterUploadId) {
        String within = prefix == null ? "" : prefix;
        String grouping = delimiter == null || delimiter.isEmpty() ? null : delimiter;
        return resolve(principal, bucketName).flatMap(bucket -> limit <= 0
                ? Mono.just(new OpenUploads(List.of(), List.of(), false, null, null))
                : lister.list(bucket, within, grouping, Math.min(limit, OpenUploads.MAX_PER_PAGE), afterKey, afterUploadId));
    }

    /**
     * Starts an upload of {@code request.key()} with the rules of an upload of that object (key,
     * type, metadata, cache control, tags; 415 {@code unsupported_media_type} for a type the bucket
     * refuses).
     */
    public Mono<MultipartUpload> start(Principal principal, String bucketName, MultipartStart request) {
        return start(principal, bucketName, request, 0L,
                started -> UploadAudit.details(started.id(), UploadAudit.MULTIPART, null, started.createdAt().plus(expireAfter)));
    }

    /**
     * As above, for a front-end on top of multipart uploads (tus) that records its own kind of
     * {@code upload_created} event: {@code auditDetails} gives its details from the new upload.
     * The size rules (the bucket's {@code maxObjectSize}: 413 {@code entity_too_large}; the
     * quotas: 413 {@code quota_exceeded}) are checked at once against {@code declaredSize}, the
     * length the front-end was told (0 when unknown), so that a client learns before sending
     * bytes that can never be published; completion checks them again on the real size.
     */
    Mono<MultipartUpload> start(Principal principal, String bucketName, MultipartStart request, long declaredSize,
                                Function<MultipartUpload, Map<String, String>> auditDetails) {
        return resolve(principal, bucketName)
                .flatMap(bucket -> uploads.plan(bucket, request.key(), declaredSize, request.contentType(),
                        request.cacheControl(), request.metadata(), request.tags()))
                // As every multipart upload, its size is only fixed at completion.
                .map(plan -> plan.withSize(0))
                .flatMap(plan -> store.createMultipart(plan.location(),
                                Map.of("tenant", plan.tenantId(), "bucket", plan.bucketName(),
                                        "key", java.net.URLEncoder.encode(plan.key(), java.nio.charset.StandardCharsets.UTF_8)))
                        .flatMap(storeId -> {
                            Instant now = now();
                            return repository.insert(new MultipartUpload(Ids.newId(), plan.tenantId(), plan.bucketId(), plan,
                                    storeId, principal.actor(), now, MultipartUpload.State.OPEN, now, Map.of(), null, null,
                                    null, request.checksum()))
                                    // Without a record nothing would ever free the store's upload.
                                    .onErrorResume(error -> store.abortMultipart(plan.location(), storeId)
                                            .onErrorResume(ignored -> Mono.empty()).then(Mono.error(error)));
                        }))
                .flatMap(started -> audit.record(principal, principal.tenantId(), AuditEventType.UPLOAD_CREATED,
                                "object:" + bucketName + "/" + started.upload().key(), auditDetails.apply(started))
                        .thenReturn(started));
    }

    /**
     * Streams part {@code n} of {@code length} bytes into the store and records it: 400
     * {@code invalid_part_number}, 411 {@code length_required} without a length, 413
     * {@code part_too_large} above 5 GiB, 409 {@code upload_not_pending} unless open. Uploading
     * a part number again replaces it: the last write recorded wins, the other's bytes are
     * freed. Every buffer of {@code body} is released.
     */
    public Mono<StoredPart> uploadPart(Principal principal, String bucketName, String uploadId, int n, Long length,
                                       Flux<DataBuffer> body) {
        return uploadPart(principal, bucketName, uploadId, n, length, body, PartChecksum.COMPUTED);
    }

    /**
     * As above, with what the front-end knows of the part's checksum. For an upload started with
     * a {@link MultipartChecksum}, the part is recorded with its checksum in that algorithm: the
     * one {@code sent}, or, where none was sent and that may be, one computed here. 400
     * {@code invalid_request}, before any byte is stored, for a part sent with another algorithm's,
     * or without one where it must have one ({@link PartChecksum#computable()}).
     */
    public Mono<StoredPart> uploadPart(Principal principal, String bucketName, String uploadId, int n, Long length,
                                       Flux<DataBuffer> body, PartChecksum sent) {
        return Mono.defer(() -> {
            MultipartRules.requirePartNumber(n);
            long size = MultipartRules.requirePartLength(length);
            return resolve(principal, bucketName).flatMap(bucket -> find(bucket, uploadId).flatMap(upload -> {
                requireOpen(upload);
                if (bucket.maxObjectSize() != null && size > bucket.maxObjectSize()) {
                    throw new GranaryException(ErrorCode.ENTITY_TOO_LARGE,
                            "The part alone is larger than the bucket's maximum of " + bucket.maxObjectSize() + " bytes.");
                }
                return parts.write(upload, n, size, body, sent);
            }));
        });
    }

    /**
     * The upload and its parts: while open, as the store holds them where it tracks parts (so
     * parts sent through presigned URLs appear), else as recorded.
     */
    public Mono<PartListing> listParts(Principal principal, String bucketName, String uploadId) {
        return resolve(principal, bucketName).flatMap(bucket -> find(bucket, uploadId))
                .flatMap(upload -> (upload.state() == MultipartUpload.State.OPEN ? parts.current(upload)
                        : Mono.just(MultipartParts.recorded(upload)))
                        .map(parts -> new PartListing(upload, parts.values().stream()
                                .sorted(Comparator.comparingInt(StoredPart::number)).toList())));
    }

    /**
     * The upload, for a tenant's key or user with {@code write} on the bucket: 404
     * {@code upload_not_found} for an unknown one or another bucket's.
     */
    public Mono<MultipartUpload> upload(Principal principal, String bucketName, String uploadId) {
        return resolve(principal, bucketName).flatMap(bucket -> find(bucket, uploadId));
    }

    /**
     * A presigned store URL for part {@code n} of an open upload: 400
     * {@code part_urls_unsupported} where the store has none (local disk).
     */
    public Mono<PartUrl> presignPart(Principal principal, String bucketName, String uploadId, int n) {
        return Mono.defer(() -> {
            MultipartRules.requirePartNumber(n);
            return resolve(principal, bucketName).flatMap(bucket -> find(bucket, uploadId)).flatMap(upload -> {
                requireOpen(upload);
                Instant expiresAt = now().plus(partUrlTtl).truncatedTo(ChronoUnit.SECONDS);
                return store.presignPart(upload.upload().location(), upload.storeUploadId(), n,
                                Duration.between(now(), expiresAt))
                        .map((PresignedPut put) -> new PartUrl(n, put.url(), put.headers(), expiresAt))
                        .switchIfEmpty(Mono.error(() -> new GranaryException(ErrorCode.PART_URLS_UNSUPPORTED,
                                "This store has no presigned part URLs; upload the parts through Granary.")));
            });
        });
    }

    /**
     * Joins the listed parts (ascending, each with the ETag the store holds) into the object and
     * makes it the current version of its key. Refusals that leave the upload open: 400
     * {@code invalid_part}, {@code invalid_part_order}, {@code invalid_part_number},
     * {@code part_too_small}, {@code part_size_mismatch}, 413 {@code part_too_large},
     * {@code entity_too_large} or {@code quota_exceeded}, 415 {@code unsupported_media_type}.
     * After the join (sniffing 415 {@code content_type_mismatch}, the scanner, a quota race) the
     * upload fails for good. Runs to its end once started, even if the caller cancels.
     */
    public Mono<StoredObject> complete(Principal principal, String bucketName, String uploadId, List<PartRef> parts) {
        return complete(principal, bucketName, uploadId, parts, CompletionChecksums.NONE);
    }

    /**
     * As above, checking what the request {@code says} of checksums before anything is joined,
     * for an upload started with a {@link MultipartChecksum}: the object gets the checksum made
     * of its parts' (kept with it and answered on reads). Refusals that leave the upload open:
     * 400 {@code invalid_request} (a type, algorithm or missing part checksum that does not fit
     * the upload), {@code invalid_part} (a listed part checksum that is not the part's),
     * {@code bad_digest} (an expected object checksum that is not the object's). A completion
     * repeated after success answers with the object without checking again.
     */
    public Mono<StoredObject> complete(Principal principal, String bucketName, String uploadId, List<PartRef> parts,
                                       CompletionChecksums says) {
        return Mono.defer(() -> {
            MultipartRules.requireList(parts);
            List<PartRef> list = parts.stream().map(p -> new PartRef(p.n(), p.bareEtag())).toList();
            return resolve(principal, bucketName)
                    .flatMap(bucket -> find(bucket, uploadId).flatMap(upload -> settle(bucket, upload, list, says, true)));
        });
    }

    private Mono<StoredObject> settle(Bucket bucket, MultipartUpload upload, List<PartRef> list, CompletionChecksums says,
                                      boolean mayRetry) {
        boolean sameList = list.equals(upload.completedWith());
        return switch (upload.state()) {
            case COMPLETED -> sameList
                    ? objects.find(bucket, upload.upload().key())
                            .filter(current -> current.versionId().equals(upload.upload().versionId()))
                            .switchIfEmpty(Mono.error(() -> notPending(
                                    "was completed earlier; its object has been replaced or deleted since")))
                    : Mono.error(notPending("was completed with another part list"));
            case COMPLETING -> Mono.error(notPending(sameList ? "is being completed by another request; retry shortly"
                    : "is being completed with another part list"));
            case FAILED -> Mono.error(notPending("failed (" + upload.rejection() + ") after its parts were joined"));
            case ABORTED -> Mono.error(notPending("was aborted"));
            case OPEN -> repository.transition(upload.id(), MultipartUpload.State.OPEN, MultipartUpload.State.COMPLETING,
                            now(), list, null, null, false)
                    .flatMap(claimed -> finish(bucket, claimed, list, says))
                    // Another request changed it first: judge again by what it is now.
                    .switchIfEmpty(Mono.defer(() -> mayRetry
                            ? repository.find(upload.id()).switchIfEmpty(Mono.error(MultipartService::notFound))
                                    .flatMap(current -> settle(bucket, current, list, says, false))
                            : Mono.error(notPending("changed while being completed; retry"))));
        };
    }

    /** Completion proper, by the one request that claimed the upload. */
    private Mono<StoredObject> finish(Bucket bucket, MultipartUpload claimed, List<PartRef> list, CompletionChecksums says) {
        Mono<StoredObject> work = parts.current(claimed)
                .map(stored -> MultipartRules.choose(list, stored, minPartSize))
                .flatMap(chosen -> {
                    ObjectChecksum checksum = ChecksumRules.forObject(claimed.checksum(), chosen, says);
                    long size = chosen.stream().mapToLong(StoredPart::size).sum();
                    DirectUpload sized = claimed.upload().withSize(size);
                    String etag = MultipartRules.etag(chosen);
                    List<Long> partSizes = chosen.stream().map(StoredPart::size).toList();
                    Mono<Void> joined = uploads.precheck(bucket, sized)
                            .then(store.completeMultipart(sized.location(), claimed.storeUploadId(), chosen));
                    return joined
                            .then(Mono.defer(() -> uploads.publishAssembled(bucket, sized, etag, partSizes, checksum)
                                    .onErrorResume(error -> repository.transition(claimed.id(),
                                                    MultipartUpload.State.COMPLETING, MultipartUpload.State.FAILED, now(),
                                                    list, null, error instanceof GranaryException g ? g.code().code()
                                                            : ErrorCode.INTERNAL.code(), true)
                                            .onErrorResume(ignored -> logStuck(claimed, ignored))
                                            .then(Mono.error(error)))))
                            .flatMap(stored -> repository.transition(claimed.id(), MultipartUpload.State.COMPLETING,
                                            MultipartUpload.State.COMPLETED, now(), list, etag, null, true)
                                    // The object is visible either way; the sweeper settles a stuck upload.
                                    .onErrorResume(error -> logStuck(claimed, error))
                                    .thenReturn(stored));
                })
                // Any refusal of the parts or the store's list: open again. (After a failed
                // publish the upload is no longer completing, and this changes nothing.)
                .onErrorResume(error -> reopen(claimed).then(Mono.error(error)));
        return Mono.defer(() -> Mono.fromFuture(work.toFuture(), true));
    }

    /** Back to open after a refusal before the join; a no-op when that already happened. */
    private Mono<Void> reopen(MultipartUpload claimed) {
        return repository.transition(claimed.id(), MultipartUpload.State.COMPLETING, MultipartUpload.State.OPEN, now(),
                        null, null, null, false)
                .onErrorResume(error -> logStuck(claimed, error))
                .then();
    }

    /**
     * Aborts an open upload and frees its parts, in the store and in the record; repeating it
     * is fine. One being completed, or completed, is 409 {@code upload_not_pending}.
     */
    public Mono<Void> abort(Principal principal, String bucketName, String uploadId) {
        return resolve(principal, bucketName).flatMap(bucket -> find(bucket, uploadId)).flatMap(upload -> switch (upload.state()) {
            case OPEN -> repository.transition(upload.id(), MultipartUpload.State.OPEN, MultipartUpload.State.ABORTED, now(),
                            null, null, null, true)
                    .switchIfEmpty(Mono.error(() -> notPending("changed meanwhile (completed or aborted); look again")))
                    .flatMap(this::freeParts);
            case ABORTED -> freeParts(upload);
            default -> Mono.error(notPending("is " + upload.state().wireName() + " and cannot be aborted"));
        });
    }

    /** Frees what the store holds for an ended upload. */
    Mono<Void> freeParts(MultipartUpload upload) {
        return store.abortMultipart(upload.upload().location(), upload.storeUploadId());
    }

    /** An open upload older than the expiry at {@code now}, aborted; empty if another step won. */
    Mono<MultipartUpload> expire(MultipartUpload upload, Instant now) {
        return repository.transition(upload.id(), MultipartUpload.State.OPEN, MultipartUpload.State.ABORTED, now, null,
                        null, "expired", true)
                .flatMap(aborted -> freeParts(aborted).thenReturn(aborted));
    }

    long minPartSize() {
        return minPartSize;
    }

    /**
     * Aborts the multipart uploads the store holds that were started before {@code before},
     * recorded or not (for the sweeper, which passes a time by which every recorded one has
     * expired); completes with how many.
     */
    Mono<Long> abortInStoreStartedBefore(Instant before) {
        return store.abortStartedBefore(before);
    }

    Duration expireAfter() {
        return expireAfter;
    }

    private static Mono<MultipartUpload> logStuck(MultipartUpload upload, Throwable error) {
        log.warn("multipart upload {} stays 'completing' until the sweeper settles it: {}", upload.id(), error.toString());
        return Mono.empty();
    }

    /** The bucket, for a tenant's key or user who may write to it. */
    private Mono<Bucket> resolve(Principal principal, String bucketName) {
        if (!(principal instanceof Principal.Member)) {
            return Mono.error(new GranaryException(ErrorCode.FORBIDDEN,
                    "Multipart uploads are managed with a tenant's key or user token."));
        }
        return buckets.resolve(principal, bucketName, Permission.WRITE);
    }

    /** The upload, if it belongs to this bucket (of this tenant); another's is simply not found. */
    private Mono<MultipartUpload> find(Bucket bucket, String uploadId) {
        return (Ids.isId(uploadId) ? repository.find(uploadId) : Mono.<MultipartUpload>empty())
                .filter(upload -> upload.tenantId().equals(bucket.tenantId()) && upload.bucketId().equals(bucket.id()))
                .switchIfEmpty(Mono.error(MultipartService::notFound));
    }

    private static void requireOpen(MultipartUpload upload) {
        if (upload.state() != MultipartUpload.State.OPEN) {
            throw notPending("is " + upload.state().wireName() + " and takes no more parts");
        }
    }

    private static GranaryException notFound() {
        return new GranaryException(ErrorCode.UPLOAD_NOT_FOUND, "No such multipart upload in this bucket.");
    }

    static GranaryException notPending(String why) {
        return new GranaryException(ErrorCode.UPLOAD_NOT_PENDING, "The multipart upload " + why + ".");
    }

    static Instant now() {
        return Instant.now().truncatedTo(ChronoUnit.MILLIS);
    }
}
