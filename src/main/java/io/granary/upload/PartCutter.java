package io.granary.upload;

import io.granary.common.DiscardedBuffers;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;
import reactor.core.publisher.Flux;

/**
 * Cuts a stream that starts at byte {@code offset} of an upload into windows that end on part
 * boundaries (multiples of the part size): the first window runs to the next boundary, each
 * further one a whole part, the last one to the end of the stream. A buffer that straddles a
 * boundary is split (its head copied, at most one small copy per part). Windows must be
 * consumed in order, as {@code concatMap} does.
 */
final class PartCutter {

    private PartCutter() {
    }

    /** A piece of the stream, and whether it ends exactly on a part boundary. */
    record Piece(DataBuffer buffer, boolean endsPart) {

        void release() {
            DataBufferUtils.release(buffer);
        }
    }

    /**
     * The windows of {@code body}; {@code digest}, if given, is fed every byte in order (before
     * any consumer sees it).
     */
    static Flux<Flux<DataBuffer>> cut(Flux<DataBuffer> body, long offset, long partSize, MessageDigest digest) {
        return Flux.defer(() -> {
            long[] position = {offset};
            // Source buffers still queued in concatMapIterable when the body fails are released;
            // the hook reaches only that operator and the body, never the consumers of the
            // windows, which free what they take themselves.
            return DiscardedBuffers.release(body.concatMapIterable(buffer -> {
                        if (digest != null) {
                            try (DataBuffer.ByteBufferIterator it = buffer.readableByteBuffers()) {
                                while (it.hasNext()) {
                                    digest.update(it.next());
                                }
                            }
                        }
                        List<Piece> pieces = new ArrayList<>(1);
                        while (true) {
                            int readable = buffer.readableByteCount();
                            long toBoundary = partSize - position[0] % partSize;
                            if (readable <= toBoundary) {
                                position[0] += readable;
                                if (readable > 0) {
                                    pieces.add(new Piece(buffer, readable == toBoundary));
                                } else {
                                    DataBufferUtils.release(buffer);
                                }
                                return pieces;
                            }
                            byte[] head = new byte[(int) toBoundary];
                            buffer.read(head);
                            position[0] += toBoundary;
                            pieces.add(new Piece(buffer.factory().wrap(head), true));
                        }
                    }))
                    .windowUntil(Piece::endsPart)
                    // Pieces still queued in a window its consumer cancelled are freed here: the
                    // consumer may be outside Reactor (the S3 SDK) and carry no discard hook of ours.
                    .map(window -> window.map(Piece::buffer).doOnDiscard(Piece.class, Piece::release));
        });
    }
}
