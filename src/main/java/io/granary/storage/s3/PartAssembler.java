package io.granary.storage.s3;

import io.granary.common.DiscardedBuffers;
import io.granary.error.ErrorCode;
import io.granary.error.GranaryException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Cuts a body into multipart-upload parts of exactly {@code partSize} bytes (the last one may be
 * shorter). Bytes are copied straight from each incoming buffer into the part being filled, and
 * the buffer is released at once, so a body costs one part being filled plus the parts
 * downstream has not consumed yet.
 *
 * <p>The part flux always emits at least one part: an empty body yields one empty part, so the
 * uploader needs no special case for it. A part shorter than {@code partSize} is always the last.
 */
final class PartAssembler {

    /** S3 refuses uploads of more parts than this. */
    static final int MAX_PARTS = 10_000;

    private final int partSize;
    private final Long expectedLength;
    private byte[] part;
    private int filled;
    private int emitted;
    private long total;

    private PartAssembler(int partSize, Long expectedLength) {
        this.partSize = partSize;
        this.expectedLength = expectedLength;
    }

    /**
     * The parts of {@code body}; each subscription assembles afresh.
     *
     * @param expectedLength the declared length to enforce, or {@code null} when unknown
     */
    static Flux<ByteBuffer> parts(Flux<DataBuffer> body, int partSize, Long expectedLength) {
        return Flux.defer(() -> {
            PartAssembler assembler = new PartAssembler(partSize, expectedLength);
            // Prefetch 1: at most one pooled buffer waits in the operator's queue; the discard
            // hook releases it when the upload stops early.
            return DiscardedBuffers.release(body.concatMapIterable(assembler::absorb, 1)
                    .concatWith(Mono.fromSupplier(assembler::finish)));
        });
    }

    private List<ByteBuffer> absorb(DataBuffer buffer) {
        try {
            List<ByteBuffer> full = List.of();
            int remaining = buffer.readableByteCount();
            total += remaining;
            if (expectedLength != null && total > expectedLength) {
                throw incomplete();
            }
            while (remaining > 0) {
                if (part == null) {
                    if (emitted == MAX_PARTS) {
                        throw new GranaryException(ErrorCode.ENTITY_TOO_LARGE, "The object exceeds what the store accepts ("
                                + MAX_PARTS + " parts of " + partSize + " bytes).");
                    }
                    part = new byte[partSize];
                }
                int n = Math.min(remaining, partSize - filled);
                buffer.read(part, filled, n);
                filled += n;
                remaining -= n;
                if (filled == partSize) {
                    if (full.isEmpty()) {
                        full = new ArrayList<>(1);
                    }
                    full.add(ByteBuffer.wrap(part));
                    part = null;
                    filled = 0;
                    emitted++;
                }
            }
            return full;
        } finally {
            DataBufferUtils.release(buffer);
        }
    }

    private ByteBuffer finish() {
        if (expectedLength != null && total != expectedLength) {
            throw incomplete();
        }
        if (filled == 0 && emitted > 0) {
            return null;
        }
        ByteBuffer last = ByteBuffer.wrap(part == null ? new byte[0] : part, 0, filled);
        part = null;
        return last;
    }

    private GranaryException incomplete() {
        return new GranaryException(ErrorCode.INCOMPLETE_BODY,
                "The body length does not match the declared " + expectedLength + " bytes.");
    }
}
