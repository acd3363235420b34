package io.granary.s3api;

import io.granary.error.ErrorCode;
import io.granary.error.GranaryException;
import java.util.concurrent.atomic.AtomicLong;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.SynchronousSink;

/**
 * A POST policy's {@code content-length-range}, enforced on the file as it streams: the body
 * fails with {@code EntityTooLarge} on the buffer that takes it past the maximum (the store gets
 * nothing more; the rest of the form is read and dropped, {@link PostFilePart}) and with
 * {@code EntityTooSmall} at its end when it stayed below the minimum. Both
 * fail the upload before its new version is made visible, so nothing is stored. The codes and
 * the 400 status are AWS's for this condition.
 */
final class PostLengthLimit {

    private PostLengthLimit() {
    }

    static Flux<DataBuffer> enforce(Flux<DataBuffer> file, PostPolicy.LengthRange range) {
        if (range.min() == 0 && range.max() == Long.MAX_VALUE) {
            return file;
        }
        AtomicLong size = new AtomicLong();
        return file
                .handle((DataBuffer buffer, SynchronousSink<DataBuffer> sink) -> {
                    long total = size.addAndGet(buffer.readableByteCount());
                    if (total > range.max()) {
                        DataBufferUtils.release(buffer);
                        sink.error(new GranaryException(ErrorCode.ENTITY_TOO_LARGE, "Your proposed upload exceeds the maximum"
                                + " allowed size: the policy's content-length-range allows at most " + range.max()
                                + " bytes; nothing was stored."));
                    } else {
                        sink.next(buffer);
                    }
                })
                .concatWith(Mono.defer(() -> size.get() < range.min()
                        ? Mono.error(new GranaryException(ErrorCode.ENTITY_TOO_SMALL, "Your proposed upload is smaller than the"
                                + " minimum allowed size: " + size.get() + " bytes, the policy's content-length-range asks for at least "
                                + range.min() + "; nothing was stored."))
                        : Mono.empty()));
    }
}
