package io.granary.object;

import io.granary.common.BufferBatches;
import io.granary.common.DiscardedBuffers;
import io.granary.error.ErrorCode;
import io.granary.error.GranaryException;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * Watches an upload stream as it passes: counts bytes, computes MD5 and SHA-256, and stops
 * the stream as soon as it exceeds the allowed size. One instance per upload; read the
 * results only after the stream completed.
 *
 * <p>The body leaves in batches of {@link #BATCH_BYTES} ({@link BufferBatches}), each hashed
 * before it is passed on, MD5 and SHA-256 side by side on bounded pools of their own, off the
 * event loop: MD5 alone runs at about 0.7 GB/s, and the two digests cost more CPU than
 * everything else an upload does. While one batch is hashed, the one before it is being
 * written by the store. Counting and the size limit stay on the receiving thread, so an
 * oversized body stops at once.
 */
final class BodyDigest {

    /** Request chunks read ahead of the batching (at most this many times the server's chunk size). */
    private static final int READ_AHEAD = 32;
    static final int BATCH_BYTES = 1024 * 1024;
    private static final int THREADS = Math.max(2, Runtime.getRuntime().availableProcessors());
    /**
     * Where each upload's batches are hashed with MD5, one batch at a time per upload. The
     * thread waits there for the batch's SHA-256, so it is not a non-blocking one; it never
     * waits for anything else.
     */
    private static final Scheduler DIGESTS = Schedulers.newBoundedElastic(2 * THREADS,
            Schedulers.DEFAULT_BOUNDED_ELASTIC_QUEUESIZE, "body-digest", 60, true);
    /** Where the SHA-256 of each batch runs meanwhile: CPU work only, never waits. */
    private static final Scheduler SHA256 = Schedulers.newParallel("body-sha256", THREADS, true);

    private final Long maxSize;
    private final Digest md5 = new Digest("MD5");
    private final Digest sha256 = new Digest("SHA-256");
    private long size;

    /** @param maxSize largest acceptable body in bytes, or {@code null} for no limit */
    BodyDigest(Long maxSize) {
        this.maxSize = maxSize;
    }

    /**
     * {@code body}, counted, limited and hashed, in batches; every buffer of it is passed on or
     * released.
     */
    Flux<DataBuffer> observe(Flux<DataBuffer> body) {
        // Read ahead a bounded number of chunks: without it every chunk waits for the stages
        // behind to take it before the socket is read again, and uploads become latency-bound.
        Flux<DataBuffer> counted = body.limitRate(READ_AHEAD).handle((buffer, sink) -> {
            size += buffer.readableByteCount();
            if (maxSize != null && size > maxSize) {
                DataBufferUtils.release(buffer);
                sink.error(new GranaryException(ErrorCode.ENTITY_TOO_LARGE,
                        "The object is larger than the maximum of " + maxSize + " bytes."));
                return;
            }
            sink.next(buffer);
        });
        // One batch hashed at a time while the next one waits; batches queued when the stream
        // is cancelled or fails are released by the hook. The batch being hashed is held by the
        // hashing thread alone until it is passed on, so nothing releases it under the digests.
        return DiscardedBuffers.release(BufferBatches.coalesce(counted, BATCH_BYTES)
                        .publishOn(DIGESTS, 1)
                        .<DataBuffer>handle((batch, sink) -> {
                            try {
                                hash(batch);
                            } catch (RuntimeException e) {
                                DataBufferUtils.release(batch);
                                sink.error(e);
                                return;
                            }
                            sink.next(batch);
                        }))
                .onErrorMap(error -> !(error instanceof GranaryException), error -> new GranaryException(
                        ErrorCode.INCOMPLETE_BODY, "The request body could not be read to its end: " + error, error));
    }

    /** Takes {@code batch} into both digests: SHA-256 on another thread, MD5 on this one. */
    private void hash(DataBuffer batch) {
        List<ByteBuffer> views = new ArrayList<>();
        try (DataBuffer.ByteBufferIterator iterator = batch.readableByteBuffers()) {
            iterator.forEachRemaining(views::add);
        }
        CompletableFuture<Void> sha = Mono.fromRunnable(() -> update(sha256, views)).subscribeOn(SHA256).then().toFuture();
        update(md5, views);
        sha.join();
    }

    private static void update(Digest digest, List<ByteBuffer> views) {
        for (ByteBuffer view : views) {
            digest.update(view.duplicate()); // each digest reads its own view
        }
    }

    /**
     * A message digest fed from direct buffers through a heap array of its own: given a direct
     * buffer, {@link MessageDigest} copies it 4 KiB at a time into a scratch array and makes a
     * call per copy, which cost SHA-256 about a quarter of its speed here.
     */
    private static final class Digest {

        private final MessageDigest digest;
        private final byte[] scratch = new byte[64 * 1024];

        Digest(String algorithm) {
            try {
                this.digest = MessageDigest.getInstance(algorithm);
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException(algorithm + " is required of every JVM", e);
            }
        }

        void update(ByteBuffer bytes) {
            if (bytes.hasArray()) {
                digest.update(bytes);
                return;
            }
            while (bytes.hasRemaining()) {
                int length = Math.min(bytes.remaining(), scratch.length);
                bytes.get(scratch, 0, length);
                digest.update(scratch, 0, length);
            }
        }

        String hex() {
            return HexFormat.of().formatHex(digest.digest());
        }
    }

    long size() {
        return size;
    }

    String md5Hex() {
        return md5.hex();
    }

    String sha256Hex() {
        return sha256.hex();
    }
}
