package io.granary.common;

import java.util.List;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DefaultDataBufferFactory;
import org.springframework.core.io.buffer.NettyDataBuffer;
import reactor.core.publisher.Flux;

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
            long[] collected = {0};
            return body.bufferUntil(buffer -> {
                collected[0] += buffer.readableByteCount();
                if (collected[0] < bytes) {
                    return false;
                }
                collected[0] = 0;
                return true;
            }).map(BufferBatches::join);
        }));
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
