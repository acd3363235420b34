package io.granary.object;

import io.granary.bucket.Bucket;
import io.granary.common.DiscardedBuffers;
import io.granary.error.ErrorCode;
import io.granary.error.GranaryException;
import io.granary.storage.BlobContent;
import io.granary.storage.BlobInfo;
import io.granary.storage.BlobLocation;
import io.granary.storage.BlobStore;
import io.granary.storage.PresignedPut;
import io.granary.usage.QuotaService;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.http.InvalidMediaTypeException;
import org.springframework.http.MediaType;
import org.springframework.stereotype.Service;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The object rules for {@link DirectUpload}s, whose bytes do not pass through an object
 * {@code PUT}. Planning applies the upload rules to what the client declares (key, type, size,
 * cache control, metadata, the bucket's limits and quotas); receiving takes the bytes where the
 * store has no upload URLs; completing checks the bytes that arrived against the plan (size,
 * magic numbers, the bucket's current rules), computes their digests and publishes them through
 * the same {@link WriteProtocol} as every other write.
 *
 * <p>Blob lifecycle: bytes that arrived through a store URL are copied to the version's own
 * location before anything is checked, because the URL may be used again until it expires and
 * could swap the bytes after the checks; the copy is what gets checked and published, and the
 * arrival location is deleted once the outcome is final. A failure that is not the bytes' fault
 * ({@link #rejects} is false: bytes missing, quota, outages, scanner timeouts) keeps the arrived
 * bytes so that completion can be tried again.
 */
@Service
public class DirectUploadService {

    /** Failures of a completion that leave the upload as it was, to be completed again later. */
    private static final Set<ErrorCode> RETRYABLE = Set.of(ErrorCode.UPLOAD_INCOMPLETE, ErrorCode.QUOTA_EXCEEDED,
            ErrorCode.BLOB_NOT_FOUND);

    private final ObjectRepository objects;
    private final BlobStore blobs;
    private final QuotaService quotas;
    private final WriteProtocol protocol;

    DirectUploadService(ObjectRepository objects, BlobStore blobs, QuotaService quotas, WriteProtocol protocol) {
        this.objects = objects;
        this.blobs = blobs;
        this.quotas = quotas;
        this.protocol = protocol;
        ContentSniffer.loadTypes(); // on the start-up thread, not on the first upload's event loop
    }

    /**
     * Whether a failure of {@link #complete} condemns the bytes (they are deleted and the upload
     * cannot be completed any more): any 4xx about the bytes or the request, but not bytes that
     * have not arrived, nor a quota that may have room again later. Outages (5xx) never do.
     */
    public static boolean rejects(Throwable error) {
        return error instanceof GranaryException g && g.code().status().is4xxClientError()
                && !RETRYABLE.contains(g.code());
    }

    /**
     * Applies the upload rules to a direct upload of {@code size} bytes to {@code key} in
     * {@code bucket} (the caller has checked the right to write there) and fixes its version:
     * {@code invalid_key}, {@code invalid_request} (size, type, cache control),
     * {@code invalid_metadata}, {@code invalid_tag}, 415 {@code unsupported_media_type}, 413
     * {@code entity_too_large} or {@code quota_exceeded}. The bytes are to arrive at the
     * version's own location; see {@link DirectUpload#stagedElsewhere()}.
     */
    public Mono<DirectUpload> plan(Bucket bucket, String key, Long size, String contentType, String cacheControl,
                                   Map<String, String> metadata, Map<String, String> tags) {
        return Mono.defer(() -> {
            ObjectKeys.require(key);
            if (size == null || size < 0) {
                throw new GranaryException(ErrorCode.INVALID_REQUEST, "'size' must be the exact number of bytes, 0 or more.");
            }
            String type = ObjectAttributes.contentType(bucket, contentType);
            requireWithinLimit(bucket, size);
            String cache = ObjectAttributes.cacheControl(cacheControl);
            Map<String, String> meta = UserMetadata.require(metadata == null ? Map.of() : metadata);
            Map<String, String> tagSet = ObjectTags.require(tags);
            String versionId = WriteProtocol.newVersionId();
            DirectUpload upload = new DirectUpload(bucket.tenantId(), bucket.id(), bucket.name(), key, size, type, cache,
                    meta, tagSet, versionId, WriteProtocol.newVersion(bucket, versionId).path());
            return quotas.precheck(bucket, size, Mono.defer(() -> objects.find(bucket, key).map(StoredObject::size)))
                    .thenReturn(upload);
        });
    }

    /**
     * A store URL for sending {@code upload}'s bytes straight into the store until {@code ttl}
     * has passed, with its type and length signed in; empty when the store has none. The upload
     * must be {@link DirectUpload#staged() staged} elsewhere than its final location.
     */
    public Mono<PresignedPut> presign(DirectUpload upload, Duration ttl) {
        if (!upload.staged()) {
            return Mono.error(new IllegalArgumentException("a store URL must not point at the version's own location"));
        }
        return blobs.presignPut(upload.stagingLocation(), ttl, upload.contentType(), upload.size());
    }

    /**
     * Receives the bytes of an upload that is not staged elsewhere (the store has no upload
     * URLs) into its location, as a store URL would: exactly {@code size} bytes
     * ({@code upload_size_mismatch} otherwise, nothing kept), sent as its type and subtype (415
     * {@code unsupported_media_type}), once ({@code upload_already_received}). Every buffer of
     * {@code body} is released.
     */
    public Mono<Void> receive(DirectUpload upload, String contentType, Long contentLength, Flux<DataBuffer> body) {
        return Mono.defer(() -> {
            if (upload.staged()) {
                throw new GranaryException(ErrorCode.INVALID_REQUEST,
                        "This upload's bytes go straight to the store; use the URL the upload was created with.");
            }
            requireSentAs(upload, contentType);
            if (contentLength != null && contentLength != upload.size()) {
                throw sizeMismatch(contentLength, upload.size());
            }
            BlobLocation location = upload.stagingLocation();
            BodyDigest counted = new BodyDigest(upload.size());
            return blobs.head(location).hasElement().flatMap(present -> present ? Mono.error(alreadyReceived())
                    : blobs.put(location, counted.observe(body), upload.size(),
                                    WriteProtocol.blobMetadata(upload.tenantId(), upload.bucketName(), upload.key()))
                            .onErrorMap(DirectUploadService::bodyOfWrongSize, error -> new GranaryException(
                                    ErrorCode.UPLOAD_SIZE_MISMATCH, "The upload must have exactly " + upload.size()
                                    + " bytes: " + error.getMessage(), error))
                            // Two senders at once: the location is written once, the later one loses.
                            .onErrorResume(error -> error instanceof GranaryException g && g.code() == ErrorCode.STORE_ERROR,
                                    error -> blobs.head(location).hasElement().flatMap(nowPresent -> Mono.error(
                                            nowPresent ? alreadyReceived() : error))));
        });
    }

    /**
     * Makes the arrived bytes of {@code upload} the current version of its key in
     * {@code bucket} (as the bucket is now, with its current rules), or fails:
     * {@code upload_incomplete} (no bytes yet), {@code upload_size_mismatch}, 415
     * {@code content_type_mismatch} (magic numbers) or {@code unsupported_media_type} (the
     * bucket's allowlist changed), 413 {@code entity_too_large} or {@code quota_exceeded}, or
     * what the scanner says. The bytes are read once from the store (to sniff their first 8 KiB
     * and compute the MD5 and SHA-256 every record carries); a mismatch in the first 8 KiB stops
     * the read there. Runs to its end once started, even if the caller cancels.
     */
    public Mono<StoredObject> complete(Bucket bucket, DirectUpload upload) {
        BlobLocation location = upload.location();
        BlobLocation staging = upload.stagingLocation();
        Mono<BlobInfo> arrived = blobs.head(staging)
                .switchIfEmpty(Mono.error(() -> new GranaryException(ErrorCode.UPLOAD_INCOMPLETE,
                        "No bytes have arrived for this upload yet; send them to its URL first.")))
                .doOnNext(info -> requireSize(upload, info.size()));
        Mono<StoredObject> published = upload.staged()
                // Copied first, so what is checked and published is out of reach of the store
                // URL; the copy is discarded on any failure, the arrived bytes are decided below.
                ? arrived.then(blobs.copy(staging, location, WriteProtocol.blobMetadata(bucket, upload.key())))
                        .then(protocol.publish(bucket, upload.key(), location, new WriteCondition.None(),
                                verified(bucket, upload)))
                // Checked and published where they arrived: kept on failure, decided below.
                : arrived.then(protocol.publish(bucket, upload.key(), location, new WriteCondition.None(),
                        verified(bucket, upload), error -> false));
        return Mono.defer(() -> WriteProtocol.uninterruptible(published
                .flatMap(stored -> (upload.staged() ? protocol.deleteQuietly(staging) : Mono.<Void>empty()).thenReturn(stored))
                .onErrorResume(error -> (rejects(error) ? protocol.discardUnlessReferenced(staging) : Mono.<Void>empty())
                        .then(Mono.error(error)))));
    }

    /**
     * The checks of {@link #complete} that need no bytes, for an upload assembled from parts
     * before its parts are joined: the bucket's current type allowlist (415
     * {@code unsupported_media_type}), its maximum object size (413 {@code entity_too_large})
     * and the quotas (413 {@code quota_exceeded}) for {@code upload}'s size.
     */
    public Mono<Void> precheck(Bucket bucket, DirectUpload upload) {
        return Mono.defer(() -> {
            ObjectAttributes.contentType(bucket, upload.contentType());
            requireWithinLimit(bucket, upload.size());
            return quotas.precheck(bucket, upload.size(),
                    Mono.defer(() -> objects.find(bucket, upload.key()).map(StoredObject::size)));
        });
    }

    /**
     * Publishes the bytes assembled at {@code upload}'s own location (a completed multipart
     * upload) as the current version of its key, with the given {@code etag} instead of the
     * bytes' MD5, the sizes of the parts and the {@code checksum} made of the parts' ({@code null}
     * for none): the same checks and protocol as {@link #complete}, but any failure deletes the
     * bytes (unless a record points at them), since the parts they were made of are gone.
     */
    public Mono<StoredObject> publishAssembled(Bucket bucket, DirectUpload upload, String etag, List<Long> partSizes,
                                               ObjectChecksum checksum) {
        if (upload.staged()) {
            return Mono.error(new IllegalArgumentException("assembled bytes lie at the version's own location"));
        }
        return protocol.publish(bucket, upload.key(), upload.location(), new WriteCondition.None(),
                verified(bucket, upload, etag, partSizes, checksum));
    }

    /**
     * Deletes what arrived for an upload that will never be completed (expired, abandoned),
     * unless a record points at it (an upload that was completed after all).
     */
    public Mono<Void> discard(DirectUpload upload) {
        return protocol.discardUnlessReferenced(upload.stagingLocation());
    }

    /** Whether {@code upload}'s version was published (a record points at its bytes). */
    public Mono<Boolean> published(DirectUpload upload) {
        return objects.referencesBlob(upload.location().path());
    }

    /** The record for the bytes at the version's location, once they passed every check. */
    private Mono<StoredObject> verified(Bucket bucket, DirectUpload upload) {
        return verified(bucket, upload, null, null, null);
    }

    /**
     * As above, with {@code etag} as the record's ETag ({@code null}: the bytes' MD5) and the
     * sizes of the parts it was assembled from ({@code null}: written whole), and the
     * {@code checksum} made of the parts' ({@code null}: none).
     */
    private Mono<StoredObject> verified(Bucket bucket, DirectUpload upload, String etag, List<Long> partSizes,
                                        ObjectChecksum checksum) {
        return Mono.defer(() -> {
            // The bucket's rules may have changed since the upload was planned.
            String type = ObjectAttributes.contentType(bucket, upload.contentType());
            requireWithinLimit(bucket, upload.size());
            BodyDigest digest = new BodyDigest(upload.size());
            ContentSniffer sniffer = new ContentSniffer(type);
            Flux<DataBuffer> bytes = blobs.open(upload.location(), null).flatMapMany(BlobContent::stream);
            // Bytes beyond the declared size stop the read: that is a size mismatch too.
            Flux<DataBuffer> counted = digest.observe(bytes).onErrorMap(
                    error -> error instanceof GranaryException g && g.code() == ErrorCode.ENTITY_TOO_LARGE,
                    error -> sizeMismatch(upload.size() + 1, upload.size()));
            return DiscardedBuffers.release(sniffer.observe(counted).doOnNext(DataBufferUtils::release))
                    .then(Mono.fromCallable(() -> {
                        requireSize(upload, digest.size());
                        sniffer.verify();
                        return new StoredObject(null, upload.tenantId(), upload.bucketId(), upload.key(), digest.size(),
                                etag != null ? etag : digest.md5Hex(), digest.sha256Hex(), type, sniffer.detected(), upload.cacheControl(),
                                upload.metadata(), upload.tags(), upload.versionId(), upload.location().path(),
                                WriteProtocol.now(), partSizes, checksum);
                    }));
        });
    }

    private static void requireWithinLimit(Bucket bucket, long size) {
        if (bucket.maxObjectSize() != null && size > bucket.maxObjectSize()) {
            throw new GranaryException(ErrorCode.ENTITY_TOO_LARGE,
                    "The object is larger than the maximum of " + bucket.maxObjectSize() + " bytes.");
        }
    }

    private static void requireSize(DirectUpload upload, long actual) {
        if (actual != upload.size()) {
            throw sizeMismatch(actual, upload.size());
        }
    }

    private static void requireSentAs(DirectUpload upload, String contentType) {
        String sent = contentType == null || contentType.isBlank() ? ObjectAttributes.DEFAULT_CONTENT_TYPE : contentType;
        try {
            if (MediaType.parseMediaType(sent).equalsTypeAndSubtype(MediaType.parseMediaType(upload.contentType()))) {
                return;
            }
        } catch (InvalidMediaTypeException e) {
            throw new GranaryException(ErrorCode.INVALID_REQUEST, "Content-Type '" + sent + "' is not a media type.");
        }
        throw new GranaryException(ErrorCode.UNSUPPORTED_MEDIA_TYPE,
                "This upload was declared as " + upload.contentType() + "; send it with that Content-Type.");
    }

    private static boolean bodyOfWrongSize(Throwable error) {
        return error instanceof GranaryException g
                && (g.code() == ErrorCode.ENTITY_TOO_LARGE || g.code() == ErrorCode.INCOMPLETE_BODY);
    }

    private static GranaryException sizeMismatch(long actual, long declared) {
        return new GranaryException(ErrorCode.UPLOAD_SIZE_MISMATCH,
                (actual > declared ? "More" : "Fewer") + " bytes arrived than the " + declared + " declared.");
    }

    private static GranaryException alreadyReceived() {
        return new GranaryException(ErrorCode.UPLOAD_ALREADY_RECEIVED,
                "The bytes of this upload have already been received; complete it.");
    }
}
