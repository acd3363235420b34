package io.granary.storage.s3;

import io.granary.common.DiscardedBuffers;
import io.granary.error.ErrorCode;
import io.granary.error.GranaryException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.reactivestreams.Subscriber;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;
import reactor.core.publisher.Flux;
import software.amazon.awssdk.core.async.AsyncRequestBody;

/**
 * A request body of known length streamed from a {@code Flux<DataBuffer>}. Each buffer is copied
 * to the heap and released at once: the SDK never releases Netty buffers, and a view of a pooled
 * buffer would be recycled under the SDK's feet once released.
 *
 * <p>It can be subscribed once (the caller's body cannot be replayed, so the SDK must not retry
 * the request). The body is checked against the declared length, because a short body would
 * otherwise leave the request hanging until the read timeout.
 */
final class DataBufferRequestBody implements AsyncRequestBody {

    private static final int PIECE = 256 * 1024;

    private final Flux<DataBuffer> body;
    private final long length;
    private final AtomicBoolean subscribed = new AtomicBoolean();
    private final AtomicReference<Throwable> failure = new AtomicReference<>();

    DataBufferRequestBody(Flux<DataBuffer> body, long length) {
        this.body = body;
        this.length = length;
    }

    @Override
    public Optional<Long> contentLength() {
        return Optional.of(length);
    }

    @Override
    public void subscribe(Subscriber<? super ByteBuffer> subscriber) {
        if (!subscribed.compareAndSet(false, true)) {
            Flux.<ByteBuffer>error(new IllegalStateException("The upload body cannot be replayed."))
                    .subscribe(subscriber);
            return;
        }
        AtomicLong seen = new AtomicLong();
        DiscardedBuffers.release(body.concatMapIterable(buffer -> copyAndRelease(buffer, seen))
                        .concatWith(Flux.defer(() -> seen.get() == length ? Flux.empty() : Flux.error(incomplete(seen.get()))))
                        // Whatever failed the body (the caller's flux or our length check) is what
                        // put() must report, not the SDK's wrapper around it.
                        .doOnError(failure::set))
                .subscribe(subscriber);
    }

    /** The error the body itself failed with, or {@code null}. */
    Throwable failure() {
        return failure.get();
    }

    /**
     * The buffer's bytes in heap arrays of at most {@link #PIECE} bytes. Uploads arrive in 1 MiB
     * batches; an array that large would be a humongous object for G1 in a small heap (one of
     * half a region or more, and regions are 1 MiB at 128 MiB), allocated and reclaimed at a
     * premium, twice per mebibyte uploaded.
     */
    private List<ByteBuffer> copyAndRelease(DataBuffer buffer, AtomicLong seen) {
        try {
            int count = buffer.readableByteCount();
            long total = seen.addAndGet(count);
            if (total > length) {
                throw incomplete(total);
            }
            List<ByteBuffer> pieces = new ArrayList<>(count / PIECE + 1);
            for (int left = count; left > 0; left -= PIECE) {
                byte[] bytes = new byte[Math.min(left, PIECE)];
                buffer.read(bytes);
                pieces.add(ByteBuffer.wrap(bytes));
            }
            return pieces;
        } finally {
            DataBufferUtils.release(buffer);
        }
    }

    private GranaryException incomplete(long seen) {
        return new GranaryException(ErrorCode.INCOMPLETE_BODY,
                "The body has " + (seen > length ? "more" : "fewer") + " bytes than the declared " + length + ".");
    }
}
