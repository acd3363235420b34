package io.granary.object;

import io.granary.bucket.Bucket;
import io.granary.bucket.BucketService;
import io.granary.config.GranaryProperties;
import io.granary.error.ErrorCode;
import io.granary.error.GranaryException;
import io.granary.security.Authorizer;
import io.granary.security.Permission;
import io.granary.security.Principal;
import io.granary.storage.BlobContent;
import io.granary.storage.BlobLocation;
import io.granary.storage.BlobStore;
import io.granary.storage.ByteRange;
import io.granary.usage.QuotaService;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.http.ContentDisposition;
import org.springframework.stereotype.Service;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Object rules and the write protocol. A write streams the body to a fresh blob, verifies
 * length, checksums and content type, makes the new version visible with one atomic metadata
 * update (checking the request's precondition in the same step), and only then deletes the
 * superseded blob ({@link WriteProtocol}). Any failure before the metadata update deletes the
 * new blob and leaves the previous version as it was; a crash in between leaves an unreferenced
 * blob for {@link OrphanBlobSweeper}. Superseded and deleted versions lose their bytes after a
 * grace period, so reads in flight complete.
 */
@Service
public class ObjectService {

    static final int MAX_BULK_DELETE = 1000;

    private final BucketService buckets;
    private final ObjectRepository objects;
    private final SmallObjects smallObjects;
    private final BlobStore blobs;
    private final ObjectLister lister;
    private final Duration redirectTtl;
    private final QuotaService quotas;
    private final WriteProtocol protocol;

    ObjectService(BucketService buckets, ObjectRepository objects, BlobStore blobs, QuotaService quotas,
                  WriteProtocol protocol, SmallObjects smallObjects, GranaryProperties properties) {
        this.smallObjects = smallObjects;
        this.buckets = buckets;
        this.quotas = quotas;
        this.objects = objects;
        this.blobs = blobs;
        this.protocol = protocol;
        this.lister = new ObjectLister(objects);
        ContentSniffer.loadTypes(); // on the start-up thread, not on the first upload's event loop
        this.redirectTtl = properties.store().redirectTtl();
        if (redirectTtl.isNegative() || redirectTtl.isZero() || redirectTtl.compareTo(Duration.ofDays(7)) > 0) {
            // S3 signs URLs for at most seven days.
            throw new IllegalStateException("granary.store.redirect-ttl must be more than 0 and at most 7 days");
        }
    }

    /** Stores {@code body} as the new version of {@code key}; every buffer of it is released. */
    public Mono<StoredObject> put(Principal principal, String bucketName, String key, PutRequest request,
                                  Flux<DataBuffer> body) {
        return buckets.resolve(principal, bucketName, Permission.WRITE).flatMap(bucket -> {
            ObjectKeys.require(key);
            Authorizer.requireKey(principal, key);
            String contentType = ObjectAttributes.contentType(bucket, request.contentType());
            Long maxSize = ObjectAttributes.uploadLimit(principal, bucket, contentType);
            Map<String, String> metadata = UserMetadata.require(request.metadata());
            Map<String, String> tags = ObjectTags.require(request.tags());
            String cacheControl = ObjectAttributes.cacheControl(request.cacheControl());
            Long declared = request.contentLength();
            if (declared != null && maxSize != null && declared > maxSize) {
                throw new GranaryException(ErrorCode.ENTITY_TOO_LARGE, "The object is larger than the maximum of " + maxSize + " bytes.");
            }
            // Deferred: the cache starts a lookup as soon as it is asked, and the precheck needs
            // the replaced version's size only when the upload would not fit without it.
            Mono<Void> fits = declared == null ? Mono.empty()
                    : quotas.precheck(bucket, declared, Mono.defer(() -> objects.find(bucket, key).map(StoredObject::size)));
            return fits.then(precheck(bucket, key, request.condition())).then(Mono.defer(() -> {
                String versionId = WriteProtocol.newVersionId();
                BlobLocation location = WriteProtocol.newVersion(bucket, versionId);
                BodyDigest digest = new BodyDigest(maxSize);
                // Every upload is sniffed (a copy of its first 8 KiB), so every record knows what
                // its bytes are and later type changes can be judged without reading them again.
                ContentSniffer sniffer = new ContentSniffer(contentType);
                Mono<StoredObject> verified = Mono.fromCallable(() -> {
                            if (declared != null && digest.size() != declared) {
                                throw new GranaryException(ErrorCode.INCOMPLETE_BODY,
                                        "Received " + digest.size() + " bytes, Content-Length said " + declared + ".");
                            }
                            String md5 = digest.md5Hex();
                            String sha256 = digest.sha256Hex();
                            request.digests().verify(md5, sha256);
                            sniffer.verify();
                            return new StoredObject(null, bucket.tenantId(), bucket.id(), key, digest.size(), md5, sha256,
                                    contentType, sniffer.detected(), cacheControl, metadata, tags, versionId, location.path(),
                                    now(), null, request.checksum() == null ? null : request.checksum().get());
                        });
                // Sniffed as it arrives, before the digest batches it: a contradiction stops the
                // upload after its first 8 KiB.
                Flux<DataBuffer> checked = digest.observe(sniffer.observe(body));
                // A cancel while the body streams is the store's to clean up; once the blob is
                // complete, settling (verify, commit, clean up) runs to its end regardless.
                return blobs.put(location, checked, declared, WriteProtocol.blobMetadata(bucket, key))
                        .then(protocol.publish(bucket, key, location, request.condition(), verified));
            }));
        });
    }

    /** Fails fast, before any byte is read, when a precondition already cannot hold. */
    private Mono<Void> precheck(Bucket bucket, String key, WriteCondition condition) {
        if (condition instanceof WriteCondition.None) {
            return Mono.empty();
        }
        return objects.find(bucket, key).map(StoredObject::etag).map(java.util.Optional::of)
                .defaultIfEmpty(java.util.Optional.empty())
                .flatMap(current -> condition.holdsFor(current.orElse(null)) ? Mono.<Void>empty()
                        : Mono.error(new GranaryException(ErrorCode.PRECONDITION_FAILED,
                                condition.failure(key, current.orElse(null)))));
    }

    /** The current version's metadata, for GET and HEAD. */
    public Mono<FoundObject> stat(Principal principal, String bucketName, String key) {
        // The key is judged before the bucket is looked up, so a bad key is the same 400 whatever
        // exists (nothing about tenants or buckets can be probed with it).
        ObjectKeys.require(key);
        return buckets.resolve(principal, bucketName, Permission.READ)
                .flatMap(bucket -> {
                    Authorizer.requireKey(principal, key);
                    return objects.find(bucket, key).map(object -> new FoundObject(bucket, object));
                })
                .switchIfEmpty(Mono.error(() -> notFound(key)));
    }

    /** Whether {@link #open} serves this version's bytes from the cache rather than streaming them from the store. */
    public boolean isSmall(StoredObject object) {
        return smallObjects.keeps(object);
    }

    /**
     * The bytes of exactly the version described by {@code object}. Fails with
     * {@code blob_not_found} when that version was replaced or deleted since it was read; callers
     * then read the metadata again. Delivers exactly the record's length (or the range's), else
     * fails with 502 {@code store_error}: before the first byte when the length is known in
     * advance, as a failed stream otherwise.
     */
    public Mono<BlobContent> open(StoredObject object, ByteRange range) {
        return smallObjects.open(object, range);
    }

    /** Which of these version blobs a current object points at (for sweepers of derived blobs). */
    public Flux<String> currentBlobs(Collection<String> blobs) {
        return objects.referencedBlobs(blobs);
    }

    /**
     * The bytes of a blob derived from an object the caller was allowed to read (a rendition),
     * read like an object's: small ones through the two-tier cache. {@code size} is what its
     * record says; a blob of another length fails the read.
     */
    public Mono<BlobContent> openDerived(BlobLocation location, long size) {
        return smallObjects.open(location, size, null);
    }

    /**
     * A short-lived URL for downloading exactly this version straight from the store, served
     * with its content type, cache control and, if given, as an attachment of that name. Empty
     * when the store cannot make one (the filesystem store) and for signed-URL and anonymous
     * callers: a store URL could not be revoked with their grant nor stop at its expiry, so
     * they are always streamed.
     */
    public Mono<URI> directDownload(Principal principal, StoredObject object, String downloadName) {
        if (!(principal instanceof Principal.Member)) {
            return Mono.empty();
        }
        String disposition = downloadName == null ? null
                : ContentDisposition.attachment().filename(downloadName, StandardCharsets.UTF_8).build().toString();
        return blobs.presignGet(object.location(), redirectTtl, object.contentType(), object.cacheControl(), disposition);
    }

    /**
     * Applies a PATCH of {@code contentType}, {@code cacheControl}, {@code metadata} and
     * {@code tags} to the current version without touching its bytes. An absent field is kept;
     * {@code null} clears cache control, metadata or tags. A PATCH of tags alone keeps the last
     * modified time, as S3 keeps it on a tag change; any other field sets it. The update is
     * conditional on the version it was merged with, so a concurrent overwrite is never given
     * the old version's metadata.
     */
    public Mono<StoredObject> updateMetadata(Principal principal, String bucketName, String key, Map<String, Object> patch) {
        ObjectAttributes.requirePatchable(patch);
        if (principal instanceof Principal.Grant) {
            // A signed URL grants one upload or download, never a metadata change.
            return Mono.error(new GranaryException(ErrorCode.SIGNED_URL_MISMATCH, "A signed URL cannot change metadata."));
        }
        return buckets.resolve(principal, bucketName, Permission.WRITE).flatMap(bucket -> {
            ObjectKeys.require(key);
            Mono<StoredObject> attempt = Mono.defer(() -> objects.find(bucket, key)
                    .switchIfEmpty(Mono.error(() -> notFound(key)))
                    .flatMap(current -> {
                        StoredObject changed = patched(bucket, current, patch);
                        if (patch.size() == 1 && patch.containsKey("tags")) {
                            return objects.updateTags(bucket, key, current.versionId(), changed.tags());
                        }
                        if (!patch.containsKey("contentType")) {
                            return objects.updateMetadata(bucket, key, current.versionId(), changed.contentType(),
                                    current.detectedType(), changed.cacheControl(), changed.metadata(), changed.tags(), now());
                        }
                        // A new declared type must fit the bytes as an upload's would.
                        return withDetectedType(current)
                                .flatMap(known -> {
                                    requireFits(known, changed.contentType());
                                    return objects.updateMetadata(bucket, key, known.versionId(), changed.contentType(),
                                            known.detectedType(), changed.cacheControl(), changed.metadata(), changed.tags(), now());
                                })
                                // The version's bytes went away under us: it was replaced, so merge again.
                                .onErrorResume(ObjectService::blobMissing, error -> Mono.empty());
                    }));
            // Empty means the version changed under us: merge with the new one instead, a few times.
            return attempt.switchIfEmpty(attempt).switchIfEmpty(attempt)
                    .switchIfEmpty(Mono.error(() -> new GranaryException(ErrorCode.PRECONDITION_FAILED,
                            "The object kept changing; retry the update.")));
        });
    }

    /**
     * Replaces the tags of the current version ({@code null} or empty removes them), changing
     * nothing else: not the bytes, ETag, version or last-modified time. Needs {@code write}; a
     * signed URL never changes tags. Conditional on the version it read, like
     * {@link #updateMetadata}: a version replaced meanwhile is read again, a few times.
     */
    public Mono<StoredObject> replaceTags(Principal principal, String bucketName, String key, Map<String, String> tags) {
        ObjectTags.require(tags); // refused before anything is looked up
        return updateMetadata(principal, bucketName, key, Map.of("tags", tags == null ? Map.of() : tags));
    }

    /** Deletes the current version; deleting an absent key succeeds too. */
    public Mono<Void> delete(Principal principal, String bucketName, String key) {
        return buckets.resolve(principal, bucketName, Permission.DELETE)
                .flatMap(bucket -> remove(bucket, ObjectKeys.require(key), null).then());
    }

    /**
     * Deletes {@code listed} for the lifecycle job, exactly as {@link #delete} does (usage
     * counters, the blob and what derives from it, cached entries), but only while it is still
     * the current version of its key: a version written after it was listed is not the one that
     * expired. Completes with whether it was deleted.
     */
    public Mono<Boolean> expire(Bucket bucket, StoredObject listed) {
        return remove(bucket, listed.key(), listed.versionId()).hasElement();
    }

    /**
     * Up to {@code limit} current versions of a bucket under {@code prefix}, in key order, after
     * {@code afterKey} ({@code null}: from the start); for jobs that walk a bucket page by page.
     */
    public Flux<StoredObject> page(Bucket bucket, String prefix, String afterKey, int limit) {
        return objects.page(bucket, prefix, afterKey, false, limit).filter(object -> object.key().startsWith(prefix));
    }

    private Mono<StoredObject> remove(Bucket bucket, String key, String versionId) {
        return objects.remove(bucket, key, versionId)
                .flatMap(removed -> quotas.release(bucket, removed.size(), 1).then(protocol.retire(removed)).thenReturn(removed));
    }

    /** Result of a bulk delete: what went and, per key, why not. */
    public record BulkDeleteResult(List<String> deleted, List<Map<String, String>> errors) {
    }

    public Mono<BulkDeleteResult> deleteMany(Principal principal, String bucketName, List<String> keys) {
        if (keys == null || keys.isEmpty() || keys.size() > MAX_BULK_DELETE) {
            return Mono.error(new GranaryException(ErrorCode.INVALID_REQUEST, "'keys' must list 1 to " + MAX_BULK_DELETE + " keys."));
        }
        return buckets.resolve(principal, bucketName, Permission.DELETE).flatMap(bucket -> {
            List<String> deleted = new ArrayList<>();
            List<Map<String, String>> errors = new ArrayList<>();
            return Flux.fromIterable(keys)
                    .concatMap(key -> Mono.defer(() -> remove(bucket, ObjectKeys.require(key), null).then())
                            .doOnSuccess(done -> deleted.add(key))
                            .onErrorResume(GranaryException.class, error -> {
                                Map<String, String> failure = new LinkedHashMap<>();
                                failure.put("key", String.valueOf(key));
                                failure.put("code", error.code().code());
                                // "detail", as in a problem document: one name for one thing.
                                failure.put("detail", error.getMessage());
                                errors.add(failure);
                                return Mono.empty();
                            }))
                    .then(Mono.fromSupplier(() -> new BulkDeleteResult(deleted, errors)));
        });
    }

    /**
     * Server-side copy into {@code targetBucket}, following the same write protocol; the copy
     * keeps the source's attributes and tags.
     */
    public Mono<StoredObject> copy(Principal principal, String sourceBucketName, String sourceKey,
                                   String targetBucketName, String targetKey) {
        return copy(principal, sourceBucketName, sourceKey, targetBucketName, targetKey, Map.of());
    }

    /**
     * As above, the copy getting the attributes of {@code patch} ({@code contentType},
     * {@code cacheControl}, {@code metadata}, {@code tags}, as {@link #updateMetadata} takes
     * them) instead of the source's. They are checked before anything is copied, so a refused
     * copy stores nothing.
     */
    public Mono<StoredObject> copy(Principal principal, String sourceBucketName, String sourceKey,
                                   String targetBucketName, String targetKey, Map<String, Object> patch) {
        ObjectAttributes.requirePatchable(patch);
        ObjectKeys.require(sourceKey);
        ObjectKeys.require(targetKey);
        return stat(principal, sourceBucketName, sourceKey).map(FoundObject::object).flatMap(found ->
                buckets.resolve(principal, targetBucketName, Permission.WRITE).flatMap(target -> {
                    StoredObject attributes = patched(target, found, patch);
                    ObjectAttributes.contentType(target, attributes.contentType());
                    if (target.maxObjectSize() != null && found.size() > target.maxObjectSize()) {
                        throw new GranaryException(ErrorCode.ENTITY_TOO_LARGE,
                                "The object is larger than the target bucket's maximum of " + target.maxObjectSize() + " bytes.");
                    }
                    return withDetectedType(found).onErrorMap(ObjectService::blobMissing, e -> notFound(sourceKey))
                            .flatMap(source -> copyInto(target, targetKey, source, attributes));
                }));
    }

    /** The source's bytes as a new version of {@code targetKey}, with the {@code attributes}' type, cache control, metadata and tags. */
    private Mono<StoredObject> copyInto(Bucket target, String targetKey, StoredObject source, StoredObject attributes) {
        // A copy is a write like an upload: its declared type must fit its bytes.
        requireFits(source, attributes.contentType());
        String versionId = WriteProtocol.newVersionId();
        BlobLocation location = WriteProtocol.newVersion(target, versionId);
        StoredObject record = new StoredObject(null, target.tenantId(), target.id(), targetKey, source.size(),
                source.etag(), source.sha256(), attributes.contentType(), source.detectedType(), attributes.cacheControl(),
                // The copy keeps the source's ETag, and so the parts that ETag counts.
                attributes.metadata(), attributes.tags(), versionId, location.path(), now(), source.partSizes(),
                source.checksum());
        return blobs.copy(source.location(), location, WriteProtocol.blobMetadata(target, targetKey))
                .onErrorMap(ObjectService::blobMissing, e -> notFound(source.key()))
                .then(protocol.publish(target, targetKey, location, new WriteCondition.None(), Mono.just(record)));
    }

    /**
     * {@code object} with its detected type known: as recorded, or, for a record written before
     * detection was recorded, detected now from the first bytes of its blob (one ranged read).
     * Fails with {@code blob_not_found} when that version's bytes are gone.
     */
    private Mono<StoredObject> withDetectedType(StoredObject object) {
        if (object.detectedType() != null || object.size() == 0) {
            return Mono.just(object);
        }
        ByteRange head = new ByteRange(0, Math.min(object.size(), ContentSniffer.SNIFF_BYTES) - 1);
        return blobs.open(object.location(), head)
                .flatMap(content -> ContentSniffer.detect(content.stream()))
                .map(object::withDetectedType)
                .defaultIfEmpty(object);
    }

    /** Fails with 415 {@code content_type_mismatch} when the object's bytes contradict {@code declaredType}. */
    /**
     * {@code current} with the attributes of a metadata {@code patch} applied, each checked as
     * an upload's would be against {@code bucket} (a new type's fit to the bytes is the caller's).
     */
    private static StoredObject patched(Bucket bucket, StoredObject current, Map<String, Object> patch) {
        String type = patch.containsKey("contentType")
                ? ObjectAttributes.contentType(bucket, ObjectAttributes.text(patch, "contentType", false))
                : current.contentType();
        String cache = patch.containsKey("cacheControl")
                ? ObjectAttributes.cacheControl(ObjectAttributes.text(patch, "cacheControl", true))
                : current.cacheControl();
        Map<String, String> meta = patch.containsKey("metadata")
                ? UserMetadata.require(ObjectAttributes.strings(patch, "metadata")) : current.metadata();
        Map<String, String> tags = patch.containsKey("tags")
                ? ObjectTags.require(ObjectAttributes.strings(patch, "tags")) : current.tags();
        return current.withAttributes(type, cache, meta, tags);
    }

    private static void requireFits(StoredObject object, String declaredType) {
        GranaryException mismatch = ContentSniffer.mismatch(object.detectedType(), declaredType);
        if (mismatch != null) {
            throw mismatch;
        }
    }

    private static boolean blobMissing(Throwable error) {
        return error instanceof GranaryException g && g.code() == ErrorCode.BLOB_NOT_FOUND;
    }

    public Mono<ObjectPage> list(Principal principal, String bucketName, String prefix, String delimiter, int limit,
                                 String cursor) {
        return buckets.resolve(principal, bucketName, Permission.LIST)
                .flatMap(bucket -> lister.list(bucket, prefix == null ? "" : prefix, delimiter, limit, cursor));
    }

    /** The cursor of a {@link #list} that starts just after {@code key}, for front-ends that page by key. */
    public static String cursorAfter(String key, String prefix, String delimiter) {
        return ObjectLister.cursorAfter(key, prefix == null ? "" : prefix, delimiter);
    }

    private static GranaryException notFound(String key) {
        return new GranaryException(ErrorCode.OBJECT_NOT_FOUND, "No object with key '" + key + "'.");
    }

    private static Instant now() {
        return WriteProtocol.now();
    }
}
