package io.granary.upload;

import io.granary.common.Ids;
import io.granary.config.GranaryProperties;
import io.granary.error.ErrorCode;
import io.granary.error.GranaryException;
import io.granary.object.StoredObject;
import io.granary.security.Principal;
import io.granary.storage.BlobContent;
import io.granary.storage.BlobLocation;
import io.granary.storage.BlobStore;
import io.granary.storage.StoredPart;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;
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

    private static final Logger LOG = LoggerFactory.getLogger(TusService.class);

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
     * {@link #maxSize()}; a zero-length upload is completed at once.
     */
    public Mono<TusUpload> create(Principal principal, String bucketName, Creation request) {
        return Mono.defer(() -> {
            if (request.key() == null || request.key().isEmpty()) {
                throw new GranaryException(ErrorCode.INVALID_REQUEST,
                        "Upload-Metadata must name the object in 'key' (or 'filename').");
            }
            requireWithinMax(request.length());
            return multipart.start(principal, bucketName,
                            new MultipartService.Start(request.key(), request.contentType(), null, Map.of()))
                    .flatMap(started -> {
                        Instant now = MultipartService.now();
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
                        : new Appender(upload, owner, principal, bucketName, request.contentLength(), checksum).run(body))
                .flatMap(upload -> upload.length() != null && upload.offset() == upload.length()
                        ? finish(principal, bucketName, upload) : Mono.just(upload));
    }

    /**
     * One PATCH body, cut at part boundaries: each window that fills a part is uploaded as that
     * part (the first one prefixed by the stored tail), a last window that does not becomes the
     * new tail blob.
     */
    private final class Appender {

        private final TusUpload start;
        private final String owner;
        private final Principal principal;
        private final String bucketName;
        private final long length;
        private final MessageDigest digest;
        private final TusHeaders.Checksum checksum;
        private TusUpload current;
        private long consumed;
        private String newTail;
        private boolean failed;
        private volatile Throwable bodyFailure;

        Appender(TusUpload start, String owner, Principal principal, String bucketName, long length,
                 TusHeaders.Checksum checksum) {
            this.start = start;
            this.current = start;
            this.owner = owner;
            this.principal = principal;
            this.bucketName = bucketName;
            this.length = length;
            this.checksum = checksum;
            this.digest = checksum == null ? null : checksum.newDigest();
        }

        Mono<TusUpload> run(Flux<DataBuffer> body) {
            // The body's failure is held back and handed to the window it cut short: passed
            // through the cutter, it would overtake the buffers still queued there (Reactor's
            // windows and flattening drop them at once), and with them bytes that did arrive.
            Flux<DataBuffer> untilFailure = body.onErrorResume(error -> {
                bodyFailure = error;
                return Flux.empty();
            });
            return PartCutter.cut(untilFailure, start.offset(), start.partSize(), digest)
                    .concatMapDelayError(this::window)
                    .then(Mono.defer(() -> bodyFailure != null ? Mono.error(bodyFailure) : settle()))
                    // Only pieces the cutter holds; buffers handed to the store are the store's to free
                    // (a DataBuffer hook here would reach into the store's own chains).
                    .doOnDiscard(PartCutter.Piece.class, PartCutter.Piece::release);
        }

        private Mono<Void> window(Flux<DataBuffer> bytes) {
            long p = start.partSize();
            long from = consumed;
            long expected = Math.min(p - (start.offset() + from) % p, length - from);
            // Windows are taken with delayed errors, so that one whose bytes all arrived is
            // stored and recorded even if the body fails meanwhile; after a failed window
            // nothing more may be recorded, or the offset would pass over the missing bytes.
            if (expected <= 0 || failed) {
                return bytes.doOnNext(DataBufferUtils::release).then();
            }
            consumed = from + expected;
            Flux<DataBuffer> whole = failIfShort(bytes, expected);
            if (digest != null) {
                // A checksummed PATCH is kept whole or not at all: nothing to keep of a cut-off window.
                return store(from, expected, whole).doOnError(error -> failed = true);
            }
            return Mono.usingWhen(WindowSpool.create(),
                    spool -> store(from, expected, spool.copying(whole))
                            .onErrorResume(error -> {
                                failed = true;
                                return keepWhatArrived(spool, from).then(Mono.error(error));
                            }),
                    WindowSpool::delete,
                    (spool, error) -> spool.delete(),
                    WindowSpool::delete);
        }

        /** The window's bytes, then the body's failure if they end before {@code expected}. */
        private Flux<DataBuffer> failIfShort(Flux<DataBuffer> bytes, long expected) {
            long[] seen = {0};
            return bytes.doOnNext(buffer -> seen[0] += buffer.readableByteCount())
                    .concatWith(Mono.defer(() -> seen[0] >= expected ? Mono.empty()
                            : Mono.error(bodyFailure != null ? bodyFailure : new GranaryException(ErrorCode.INVALID_REQUEST,
                                    "The body ended after " + seen[0] + " of the " + expected + " bytes expected here."))));
        }

        /** Stores the window's bytes as their part, or as the new tail when they end short of one. */
        private Mono<Void> store(long from, long expected, Flux<DataBuffer> bytes) {
            long p = start.partSize();
            long end = start.offset() + from + expected;
            boolean withTail = from == 0 && start.tailSize() > 0;
            Flux<DataBuffer> content = withTail ? Flux.concat(openTail(), bytes) : bytes;
            long size = (withTail ? start.tailSize() : 0) + expected;
            if (end % p == 0) {
                return multipart.uploadPart(principal, bucketName, start.id(), (int) (end / p), size, content)
                        .then(digest == null ? commit(end, null) : Mono.<Void>empty());
            }
            BlobLocation tail = BlobLocation.of(start.tenantId(), start.bucketId(), Ids.newId());
            return store.put(tail, content, size, Map.of())
                    .then(Mono.fromRunnable(() -> newTail = tail.path()))
                    .then(digest == null ? commit(end, tail.path()) : Mono.<Void>empty());
        }

        /**
         * After a window failed (the client went away, or the store): the bytes of it that
         * arrived become the new tail, so the client resumes after them rather than from the
         * window's start. Not when they would end on a part boundary (the tail is always shorter
         * than a part); a failure here leaves the offset where it was.
         */
        private Mono<Void> keepWhatArrived(WindowSpool spool, long from) {
            long kept = spool.size();
            long to = start.offset() + from + kept;
            if (kept == 0 || to % start.partSize() == 0) {
                return Mono.empty();
            }
            boolean withTail = from == 0 && start.tailSize() > 0;
            BlobLocation tail = BlobLocation.of(start.tenantId(), start.bucketId(), Ids.newId());
            return store.put(tail, withTail ? Flux.concat(openTail(), spool.read()) : spool.read(),
                            (withTail ? start.tailSize() : 0) + kept, Map.of())
                    .then(Mono.defer(() -> commit(to, tail.path())))
                    .onErrorResume(error -> {
                        LOG.warn("Could not keep the {} bytes received of an interrupted PATCH of tus upload {}: {}",
                                kept, start.id(), error.toString());
                        return deleteTail(tail.path());
                    });
        }

        private Flux<DataBuffer> openTail() {
            return store.open(new BlobLocation(start.tailPath()), null).flatMapMany(BlobContent::stream);
        }

        private Mono<TusUpload> settle() {
            if (digest == null) {
                return Mono.just(current);
            }
            if (!MessageDigest.isEqual(digest.digest(), checksum.expected())) {
                return deleteTail(newTail).then(Mono.error(new GranaryException(ErrorCode.CHECKSUM_MISMATCH,
                        "The body does not match its " + checksum.algorithm()
                                + " Upload-Checksum; its bytes were discarded and the offset stays at " + start.offset() + ".")));
            }
            return commit(start.offset() + length, newTail).then(Mono.fromSupplier(() -> current));
        }

        private Mono<Void> commit(long to, String tailPath) {
            return repository.advance(start.id(), owner, current.offset(), to, tailPath)
                    .switchIfEmpty(Mono.error(TusService::lost))
                    .flatMap(updated -> {
                        String replaced = current.tailPath();
                        current = updated;
                        return replaced != null && !replaced.equals(tailPath) ? deleteTail(replaced) : Mono.empty();
                    });
        }
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

    private static GranaryException lost() {
        return new GranaryException(ErrorCode.UPLOAD_LOCKED,
                "The upload was changed by another request meanwhile (its lock lapsed); ask with HEAD and resume.");
    }
}
