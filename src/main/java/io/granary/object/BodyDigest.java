package io.granary.object;

import io.granary.common.DiscardedBuffers;
import io.granary.error.ErrorCode;
import io.granary.error.GranaryException;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;
import reactor.core.publisher.Flux;

/**
 * Watches an upload stream as it passes: counts bytes, computes MD5 and SHA-256, and stops
 * the stream as soon as it exceeds the allowed size. One instance per upload; read the
 * results only after the stream completed.
 */
final class BodyDigest {

    private static final int READ_AHEAD = 32;

    private final Long maxSize;
    private final MessageDigest md5 = digest("MD5");
    private final MessageDigest sha256 = digest("SHA-256");
    private long size;

    /** @param maxSize largest acceptable body in bytes, or {@code null} for no limit */
    BodyDigest(Long maxSize) {
        this.maxSize = maxSize;
    }

    Flux<DataBuffer> observe(Flux<DataBuffer> body) {
        // Read ahead a bounded number of chunks (at most READ_AHEAD x the server's chunk size):
        // without it every chunk waits for the previous write to complete before the socket is
        // read again, and uploads become latency-bound. Chunks dropped on cancel are released.
        return DiscardedBuffers.release(body.limitRate(READ_AHEAD))
                .<DataBuffer>handle((buffer, sink) -> {
            size += buffer.readableByteCount();
            if (maxSize != null && size > maxSize) {
                DataBufferUtils.release(buffer);
                sink.error(new GranaryException(ErrorCode.ENTITY_TOO_LARGE,
                        "The object is larger than the maximum of " + maxSize + " bytes."));
                return;
            }
            try (DataBuffer.ByteBufferIterator views = buffer.readableByteBuffers()) {
                while (views.hasNext()) {
                    ByteBuffer view = views.next();
                    sha256.update(view.duplicate());
                    md5.update(view);
                }
            }
            sink.next(buffer);
        }).onErrorMap(error -> !(error instanceof GranaryException), error -> new GranaryException(
                ErrorCode.INCOMPLETE_BODY, "The request body could not be read to its end: " + error, error));
    }

    long size() {
        return size;
    }

    String md5Hex() {
        return HexFormat.of().formatHex(md5.digest());
    }

    String sha256Hex() {
        return HexFormat.of().formatHex(sha256.digest());
    }

    private static MessageDigest digest(String algorithm) {
        try {
            return MessageDigest.getInstance(algorithm);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(algorithm + " is required of every JVM", e);
        }
    }
}
