package io.granary.common;

import java.util.ArrayList;
import java.util.List;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.core.io.buffer.DefaultDataBufferFactory;
import org.springframework.core.io.buffer.NettyDataBuffer;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Gathers the small buffers a body arrives in (Netty reads at most 64 KiB at a time) into
 * batches of about a given size, so that the stages after it (digests on another thread, a
 * gathering file write, the store client) pay their per-buffer costs once per batch.
 *
 * <p>A batch is one buffer made of the others, without copying them when they are Netty's (a
 * composite buffer), else copied into one heap buffer; it is released once, like any buffer. Only
 * bounded batches are joined, never a whole body: memory stays bounded by the batch size times
 * what the stages around it queue. Buffers collected for an unfinished batch when the stream is
 * cancelled or fails are released.
 */
public final class BufferBatches {

    private BufferBatches() {
    }

    /**
     * {@code body} in buffers of at least {@code bytes} bytes each, the last one possibly
     * smaller; a buffer that is already large enough passes as it is.
     */
    public static Flux<DataBuffer> coalesce(Flux<DataBuffer> body, int bytes) {
        return DiscardedBuffers.release(Flux.defer(() -> {
            Batch batch = new Batch(bytes);
            return body.<DataBuffer>handle((buffer, sink) -> {
                        List<DataBuffer> full = batch.add(buffer);
                        if (full != null) {
                            sink.next(join(full));
                        }
                    })
                    .concatWith(Mono.fromSupplier(batch::rest).map(BufferBatches::join))
                    .doFinally(signal -> batch.close());
        }));
    }

    /**
     * The buffers of the batch being collected. Whoever completes a batch takes it whole; a
     * cancel or a failure, which may arrive on another thread while a buffer is added, releases
     * what is left. Guarded by its monitor, so no buffer is both passed on and released (Reactor's
     * own {@code bufferUntil} discards its list on cancel without that guard).
     */
    private static final class Batch {
        private final int bytes;
        private List<DataBuffer> buffers = new ArrayList<>();
        private long collected;
        private boolean closed;

        Batch(int bytes) {
            this.bytes = bytes;
        }

        /** The batch {@code buffer} completes, or {@code null}; after {@link #close} it releases the buffer. */
        synchronized List<DataBuffer> add(DataBuffer buffer) {
            if (closed) {
                DataBufferUtils.release(buffer);
                return null;
            }
            buffers.add(buffer);
            collected += buffer.readableByteCount();
            return collected < bytes ? null : take();
        }

        /** What was collected since the last full batch, or {@code null} for nothing. */
        synchronized List<DataBuffer> rest() {
            return closed || buffers.isEmpty() ? null : take();
        }

        synchronized void close() {
            closed = true;
            take().forEach(DataBufferUtils::release);
        }

        private List<DataBuffer> take() {
            List<DataBuffer> taken = buffers;
            buffers = new ArrayList<>();
            collected = 0;
            return taken;
        }
    }

    private static DataBuffer join(List<DataBuffer> buffers) {
        if (buffers.size() == 1) {
            return buffers.get(0);
        }
        // Netty's buffers (request bodies) become one composite buffer that takes them over;
        // any others (heap buffers read from files, wrappers) are copied into one heap buffer,
        // which releases them.
        return buffers.stream().allMatch(NettyDataBuffer.class::isInstance)
                ? buffers.get(0).factory().join(buffers)
                : DefaultDataBufferFactory.sharedInstance.join(buffers);
    }
}
