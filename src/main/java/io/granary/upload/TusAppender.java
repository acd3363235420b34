package io.granary.upload;

import io.granary.common.Ids;
import io.granary.error.ErrorCode;
import io.granary.error.GranaryException;
import io.granary.security.Principal;
import io.granary.storage.BlobContent;
import io.granary.storage.BlobLocation;
import io.granary.storage.BlobStore;
import java.security.MessageDigest;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * One PATCH body, cut at part boundaries: each window that fills a part is uploaded as that
 * part (the first one prefixed by the stored tail), a last window that does not becomes the
 * new tail blob; see {@link TusService} for when the offset moves. One instance per PATCH, used
 * once, on its PATCH's lock.
 */
final class TusAppender {

    private static final Logger LOG = LoggerFactory.getLogger(TusAppender.class);

    private final MultipartService multipart;
    private final TusUploadRepository repository;
    private final BlobStore store;
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

    TusAppender(MultipartService multipart, TusUploadRepository repository, BlobStore store, TusUpload start,
                String owner, Principal principal, String bucketName, long length, TusHeaders.Checksum checksum) {
        this.multipart = multipart;
        this.repository = repository;
        this.store = store;
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
        AtomicBoolean read = new AtomicBoolean();
        Flux<DataBuffer> whole = failIfShort(bytes.doOnSubscribe(subscription -> read.set(true)), expected);
        return stored(from, expected, whole)
                // A window the store refused before reading it (the upload was terminated
                // meanwhile) keeps its buffers queued for a reader that never comes: drained here.
                .onErrorResume(error -> read.get() ? Mono.error(error)
                        : bytes.doOnNext(DataBufferUtils::release).onErrorResume(ignored -> Mono.empty())
                                .then(Mono.error(error)));
    }

    /** Stores the window's bytes; after a failure, keeps what arrived of them as the tail where it can. */
    private Mono<Void> stored(long from, long expected, Flux<DataBuffer> whole) {
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
        if (end % p == 0) {
            return multipart.uploadPart(principal, bucketName, start.id(), (int) (end / p),
                            storedTailBefore(from) + expected, afterStoredTail(from, bytes))
                    .then(digest == null ? commit(end, null) : Mono.<Void>empty());
        }
        BlobLocation tail = newTailLocation();
        return putTail(tail, from, bytes, expected)
                .then(Mono.fromRunnable(() -> newTail = tail.path()))
                .then(digest == null ? commit(end, tail.path()) : Mono.<Void>empty());
    }

    /** Writes a window's {@code count} bytes starting at {@code from} as the tail blob {@code tail}. */
    private Mono<Void> putTail(BlobLocation tail, long from, Flux<DataBuffer> bytes, long count) {
        return store.put(tail, afterStoredTail(from, bytes), storedTailBefore(from) + count, Map.of());
    }

    private BlobLocation newTailLocation() {
        return BlobLocation.of(start.tenantId(), start.bucketId(), Ids.newId());
    }

    /** How many bytes of the stored tail go before the window starting at {@code from}. */
    private long storedTailBefore(long from) {
        return from == 0 ? start.tailSize() : 0;
    }

    /** The window's bytes, after the stored tail when the window is the PATCH's first. */
    private Flux<DataBuffer> afterStoredTail(long from, Flux<DataBuffer> bytes) {
        return storedTailBefore(from) > 0 ? Flux.concat(openTail(), bytes) : bytes;
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
        BlobLocation tail = newTailLocation();
        return putTail(tail, from, spool.read(), kept)
                .then(Mono.defer(() -> commit(to, tail.path())))
                .onErrorResume(error -> {
                    LOG.warn("Could not keep the {} bytes received of an interrupted PATCH of tus upload {}: {}",
                            kept, start.id(), error.toString());
                    return TusService.deleteTail(store, tail.path());
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
            return TusService.deleteTail(store, newTail).then(Mono.error(new GranaryException(ErrorCode.CHECKSUM_MISMATCH,
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
                    return replaced != null && !replaced.equals(tailPath) ? TusService.deleteTail(store, replaced) : Mono.empty();
                });
    }
}
