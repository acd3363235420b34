package io.granary.storage.s3;

import io.granary.common.DiscardedBuffers;
import io.granary.error.ErrorCode;
import io.granary.error.GranaryException;
import java.nio.ByteBuffer;
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
        DiscardedBuffers.release(body.map(buffer -> copyAndRelease(buffer, seen))
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

    private ByteBuffer copyAndRelease(DataBuffer buffer, AtomicLong seen) {
        try {
            int count = buffer.readableByteCount();
            long total = seen.addAndGet(count);
            if (total > length) {
                throw incomplete(total);
            }
            byte[] bytes = new byte[count];
            buffer.read(bytes);
            return ByteBuffer.wrap(bytes);
        } finally {
            DataBufferUtils.release(buffer);
        }
    }

    private GranaryException incomplete(long seen) {
        return new GranaryException(ErrorCode.INCOMPLETE_BODY,
                "The body has " + (seen > length ? "more" : "fewer") + " bytes than the declared " + length + ".");
    }
}
