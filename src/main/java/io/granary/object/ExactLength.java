package io.granary.object;

import io.granary.error.ErrorCode;
import io.granary.error.GranaryException;
import io.granary.storage.BlobContent;
import io.granary.storage.BlobLocation;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Holds what the store returns for a version to the length its record gives. Bytes go out under
 * the record's {@code Content-Length}, so a blob shortened behind Granary's back would leave the
 * client waiting for bytes that never come, and a longer one would run into the next response on
 * the connection. A mismatch known before the first byte (a local file's size) fails the request
 * with 502 {@code store_error}; one found while streaming fails the stream, which closes the
 * connection mid-body, the only signal left once the headers are out.
 */
final class ExactLength {

    private static final Logger LOG = LoggerFactory.getLogger(ExactLength.class);

    private ExactLength() {
    }

    /**
     * {@code content}, made to deliver exactly {@code expected} bytes or fail; throws the 502 at
     * once when its length is known and wrong.
     */
    static BlobContent require(BlobContent content, long expected, BlobLocation location) {
        long known = content instanceof BlobContent.LocalFile file ? file.count()
                : content instanceof BlobContent.InMemory memory ? memory.length() : -1;
        if (known < 0) {
            return new BlobContent.Streamed(exactly(content.stream(), expected, location));
        }
        if (known != expected) {
            throw damaged(location, expected, known);
        }
        return content;
    }

    private static Flux<DataBuffer> exactly(Flux<DataBuffer> stream, long expected, BlobLocation location) {
        return Flux.defer(() -> {
            long[] seen = {0};
            return stream.<DataBuffer>handle((buffer, sink) -> {
                seen[0] += buffer.readableByteCount();
                if (seen[0] > expected) {
                    DataBufferUtils.release(buffer);
                    sink.error(damaged(location, expected, seen[0]));
                } else {
                    sink.next(buffer);
                }
            }).concatWith(Mono.defer(() -> seen[0] == expected ? Mono.empty()
                    : Mono.error(damaged(location, expected, seen[0]))));
        });
    }

    private static GranaryException damaged(BlobLocation location, long expected, long found) {
        // The store lost or changed bytes Granary wrote: worth an operator's look, not a client's retry.
        LOG.error("Blob {} does not have the length of its record: {} bytes expected, {} found", location.path(), expected, found);
        return new GranaryException(ErrorCode.STORE_ERROR, "The stored bytes of this version are damaged.");
    }
}
