package io.granary.upload;

import io.granary.config.GranaryProperties;
import io.granary.error.ErrorCode;
import io.granary.error.GranaryException;
import io.granary.object.StoredObject;
import io.granary.security.Principal;
import io.granary.storage.BlobContent;
import io.granary.storage.BlobLocation;
import io.granary.storage.BlobStore;
import io.granary.storage.StoredPart;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.stereotype.Service;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Resumable uploads by the tus 1.0.0 protocol, on top of {@link MultipartService}: every tus
 * upload is a multipart upload (same id, same permission checks), whose bytes arrive as PATCHes
 * of any size at a given offset and are cut into parts of the fixed {@code granary.tus.part-size}
 * by their position (part {@code n} covers {@code [(n-1)*partSize, n*partSize)}); the piece
 * beyond the last whole part is kept as a tail blob in the store until more bytes complete it.
 * The offset, the tail's location and a lease-style lock live in {@link TusUpload}, so any node
 * continues any upload. When the offset reaches the length the upload is completed through
 * {@link MultipartService#complete}, with all the rules of an object write.
 *
 * <p>The offset only moves once the bytes it covers are stored: after each whole part (and the
 * new tail at the end) for a PATCH without checksum, so an interrupted PATCH keeps every whole
 * part it delivered, and the bytes it delivered of the part it was cut off in become the new
 * tail (copied to a node-local {@link WindowSpool} as they stream to the store); only after the
 * checksum is verified for one with {@code Upload-Checksum}, which is kept whole or not at all.
 */
@Service
public class TusService {

    /** The protocol version spoken. */
    public static final String VERSION = "1.0.0";

    private final MultipartService multipart;
    private final TusUploadRepository repository;
    private final BlobStore store;
    private final long partSize;
    private final Duration expireAfter;
    private final Duration lockTtl;

    TusService(MultipartService multipart, TusUploadRepository repository, BlobStore store, GranaryProperties properties) {
        this.multipart = multipart;
        this.repository = repository;
        this.store = store;
        this.partSize = properties.tus().partSize().toBytes();
        this.expireAfter = properties.tus().expireAfter();
        this.lockTtl = properties.tus().lockTtl();
        if (partSize < multipart.minPartSize()) {
            throw new IllegalStateException("granary.tus.part-size (" + partSize
                    + ") must be at least granary.multipart.min-part-size (" + multipart.minPartSize() + ")");
        }
    }

    /** What a creation declares: the length ({@code null} when deferred), the raw metadata, the key and type. */
    public record Creation(Long length, String metadata, String key, String contentType) {
    }

    /** What a PATCH declares: its offset, its length, a deferred upload's length now known, its checksum. */
    public record Patch(long offset, long contentLength, Long uploadLength, String checksum) {
    }

    /** The largest upload: 10,000 parts. */
    public long maxSize() {
        return partSize * MultipartRules.MAX_PART_NUMBER;
    }

    /**
     * Creates an upload (and its multipart upload) of {@code request.key()}: 400
     * {@code invalid_request} without a key, 413 {@code upload_length_exceeded} above
     * {@link #maxSize()}, and the refusals of an object write that can be told before any byte
     * (415 {@code unsupported_media_type}; for a declared length, 413 {@code entity_too_large}
     * and {@code quota_exceeded}); a zero-length upload is completed at once.
     */
    public Mono<TusUpload> create(Principal principal, String bucketName, Creation request) {
        return Mono.defer(() -> {
            if (request.key() == null || request.key().isEmpty()) {
                throw new GranaryException(ErrorCode.INVALID_REQUEST,
                        "Upload-Metadata must name the object in 'key' (or 'filename').");
            }
            requireWithinMax(request.length());
            return multipart.start(principal, bucketName,
                            new MultipartStart(request.key(), request.contentType(), null, Map.of()),
                            request.length() == null ? 0L : request.length(),
                            started -> UploadAudit.details(started.id(), UploadAudit.TUS, request.length(),
                                    started.createdAt().plus(expireAfter)))
                    .flatMap(started -> {
                        // The same instant as the audit event's expiresAt.
                        Instant now = started.createdAt();
                        return repository.insert(new TusUpload(started.id(), started.tenantId(), started.bucketId(),
                                        request.length(), 0, partSize, request.metadata(), null, now, now.plus(expireAfter),
                                        false, null, null))
                                .onErrorResume(error -> multipart.abort(principal, bucketName, started.id())
                                        .onErrorResume(ignored -> Mono.empty()).then(Mono.error(error)));
                    })
                    .flatMap(created -> Long.valueOf(0).equals(created.length())
                            ? finish(principal, bucketName, created) : Mono.just(created));
        });
    }

    /** The upload as it is now: 404 {@code upload_not_found}, 410 {@code upload_expired}. */
    public Mono<TusUpload> get(Principal principal, String bucketName, String uploadId) {
        return multipart.upload(principal, bucketName, uploadId)
                .flatMap(upload -> repository.find(upload.id()).map(tus -> {
                    // The multipart sweeper may have aborted it first (its own expiry).
                    if (!tus.completed() && (upload.state() == MultipartUpload.State.ABORTED
                            || !tus.expiresAt().isAfter(Instant.now()))) {
                        throw expired();
                    }
                    return tus;
                }))
                .switchIfEmpty(Mono.error(() -> new GranaryException(ErrorCode.UPLOAD_NOT_FOUND, "No such tus upload.")));
    }

    /**
     * Appends {@code body} at {@code request.offset()}: 409 {@code upload_offset_mismatch} when
     * that is not the current offset, 409 {@code upload_locked} while another PATCH writes, 413
     * {@code upload_length_exceeded} past the length, 460 {@code checksum_mismatch} (nothing of
     * this PATCH kept). Completes with the upload after the bytes (and, once all arrived, the
     * completion). Runs to its end once started, even if the client goes away, so what was
     * stored is recorded.
     */
    public Mono<TusUpload> patch(Principal principal, String bucketName, String uploadId, Patch request,
                                 Flux<DataBuffer> body) {
        return Mono.defer(() -> {
            TusHeaders.Checksum checksum = TusHeaders.checksum(request.checksum());
            return get(principal, bucketName, uploadId).flatMap(current -> {
                requireOffset(current, request.offset());
                if (current.completed()) {
                    if (request.contentLength() > 0) {
                        throw new GranaryException(ErrorCode.UPLOAD_LENGTH_EXCEEDED, "The upload is complete.");
                    }
                    return Mono.just(current);
                }
                String owner = UUID.randomUUID().toString();
                Mono<TusUpload> work = Mono.usingWhen(
                        repository.lock(current.id(), owner, Instant.now(), Instant.now().plus(lockTtl))
                                .switchIfEmpty(Mono.error(() -> new GranaryException(ErrorCode.UPLOAD_LOCKED,
                                        "Another request is writing to this upload; retry once it has ended."))),
                        locked -> {
                            Disposable heartbeat = Flux.interval(lockTtl.dividedBy(3))
                                    .concatMap(tick -> repository.renew(locked.id(), owner, Instant.now().plus(lockTtl))
                                            .onErrorReturn(true))
                                    .subscribe();
                            return write(principal, bucketName, locked, owner, request, checksum, body)
                                    .doFinally(signal -> heartbeat.dispose());
                        },
                        locked -> repository.unlock(locked.id(), owner),
                        (locked, error) -> repository.unlock(locked.id(), owner),
                        locked -> repository.unlock(locked.id(), owner));
                return Mono.fromFuture(work.toFuture(), true);
            });
        });
    }

    /** Ends the upload and frees its parts and tail; a completed one is only forgotten (its object stays). */
    public Mono<Void> terminate(Principal principal, String bucketName, String uploadId) {
        return get(principal, bucketName, uploadId).flatMap(upload -> (upload.completed() ? Mono.<Void>empty()
                        : multipart.abort(principal, bucketName, upload.id()).then(deleteTail(upload.tailPath())))
                .then(repository.remove(upload.id())));
    }

    /** Frees an expired upload's parts and tail and forgets it; for the sweeper. */
    Mono<Void> reclaim(TusUpload upload, MultipartUploadRepository uploads, Instant now) {
        Mono<Void> freed = upload.completed() ? Mono.empty()
                : uploads.find(upload.id()).flatMap(mp -> multipart.expire(mp, now)).then(deleteTail(upload.tailPath()));
        return freed.then(repository.remove(upload.id()));
    }

    private Mono<TusUpload> write(Principal principal, String bucketName, TusUpload locked, String owner, Patch request,
                                  TusHeaders.Checksum checksum, Flux<DataBuffer> body) {
        requireOffset(locked, request.offset());
        Mono<TusUpload> sized = Mono.just(locked);
        Long length = locked.length();
        if (request.uploadLength() != null) {
            if (length == null) {
                requireWithinMax(request.uploadLength());
                if (request.uploadLength() < locked.offset()) {
                    throw new GranaryException(ErrorCode.INVALID_REQUEST, "Upload-Length is below the upload's offset.");
                }
                length = request.uploadLength();
                sized = repository.declareLength(locked.id(), owner, length).switchIfEmpty(Mono.error(TusService::lost));
            } else if (!length.equals(request.uploadLength())) {
                throw new GranaryException(ErrorCode.INVALID_REQUEST, "Upload-Length cannot be changed once declared.");
            }
        }
        long end = locked.offset() + request.contentLength();
        if (end > (length != null ? length : maxSize())) {
            throw new GranaryException(ErrorCode.UPLOAD_LENGTH_EXCEEDED, "The PATCH would end at byte " + end
                    + ", past the upload's length of " + (length != null ? length : maxSize()) + ".");
        }
        return sized.flatMap(upload -> request.contentLength() == 0 ? Mono.just(upload)
                        : new TusAppender(multipart, repository, store, upload, owner, principal, bucketName,
                                request.contentLength(), checksum).run(body))
                .flatMap(upload -> upload.length() != null && upload.offset() == upload.length()
                        ? finish(principal, bucketName, upload) : Mono.just(upload));
    }

    /** Uploads the tail as the last part (or an empty part 1) and completes the multipart upload. */
    private Mono<TusUpload> finish(Principal principal, String bucketName, TusUpload upload) {
        boolean lastFromTail = upload.tailSize() > 0;
        Mono<?> last = lastFromTail
                ? multipart.uploadPart(principal, bucketName, upload.id(), upload.fullParts() + 1, upload.tailSize(),
                        store.open(new BlobLocation(upload.tailPath()), null).flatMapMany(BlobContent::stream))
                : upload.offset() == 0 ? multipart.uploadPart(principal, bucketName, upload.id(), 1, 0L, Flux.empty())
                : Mono.empty();
        int count = upload.fullParts() + (lastFromTail || upload.offset() == 0 ? 1 : 0);
        return last.then(multipart.listParts(principal, bucketName, upload.id()))
                .flatMap(listing -> {
                    Map<Integer, StoredPart> parts = listing.parts().stream()
                            .collect(Collectors.toMap(StoredPart::number, Function.identity()));
                    List<PartRef> refs = new ArrayList<>(count);
                    for (int n = 1; n <= count; n++) {
                        StoredPart part = parts.get(n);
                        if (part == null) {
                            return Mono.<StoredObject>error(new GranaryException(ErrorCode.INTERNAL,
                                    "Part " + n + " of tus upload " + upload.id() + " is missing."));
                        }
                        refs.add(new PartRef(n, part.etag()));
                    }
                    return multipart.complete(principal, bucketName, upload.id(), refs);
                })
                .then(repository.markCompleted(upload.id()))
                .flatMap(done -> deleteTail(upload.tailPath()).thenReturn(done));
    }

    private Mono<Void> deleteTail(String path) {
        return deleteTail(store, path);
    }

    /** Deletes a tail blob no record points at any more; a failure leaves it to the orphan sweeper. */
    static Mono<Void> deleteTail(BlobStore store, String path) {
        return path == null ? Mono.empty() : store.delete(new BlobLocation(path)).onErrorResume(error -> Mono.empty());
    }

    private void requireWithinMax(Long length) {
        if (length != null && length > maxSize()) {
            throw new GranaryException(ErrorCode.UPLOAD_LENGTH_EXCEEDED, "Uploads may have at most " + maxSize()
                    + " bytes (Tus-Max-Size), not " + length + ".");
        }
    }

    private static void requireOffset(TusUpload upload, long offset) {
        if (upload.offset() != offset) {
            throw new GranaryException(ErrorCode.UPLOAD_OFFSET_MISMATCH, "Upload-Offset is " + offset
                    + " but the upload's offset is " + upload.offset() + "; ask with HEAD and resume from there.");
        }
    }

    private static GranaryException expired() {
        return new GranaryException(ErrorCode.UPLOAD_EXPIRED, "The tus upload has expired.");
    }

    static GranaryException lost() {
        return new GranaryException(ErrorCode.UPLOAD_LOCKED,
                "The upload was changed by another request meanwhile (its lock lapsed); ask with HEAD and resume.");
    }
}
