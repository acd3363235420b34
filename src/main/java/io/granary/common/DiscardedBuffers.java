package io.granary.common;

import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Set;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;
import reactor.core.publisher.Flux;
import reactor.util.context.Context;

/**
 * Frees, exactly once, the data buffers that Reactor operators drop when a stream is cancelled
 * or fails while they hold them ("discarded" buffers).
 *
 * <p>Why not {@code doOnDiscard(DataBuffer.class, DataBufferUtils::release)} in every stage:
 * Reactor runs every discard hook declared downstream of the operator that drops an element, so
 * when two stages of one pipeline (say the upload digest and the store's writer) each declare
 * that hook, a dropped buffer is released twice. For a request body that second release takes
 * the reference Netty's HTTP decoder still holds on its read buffer, which can then go back to
 * the pool while in use. Each stage calls {@link #release} instead: it declares the hook unless a
 * stage downstream in the same subscription already did so through this class.
 *
 * <p>The hook also releases a buffer only the first time it is handed one: Reactor's
 * {@code publishOn} (and so {@code limitRate}) discards an element twice when a cancel on
 * another thread clears its queue just after {@code onNext} put the element there, since
 * {@code onNext} then discards it as well.
 */
public final class DiscardedBuffers {

    private static final String DECLARED = DiscardedBuffers.class.getName();

    private DiscardedBuffers() {
    }

    /** {@code flux}, with the data buffers that its operators discard released once. */
    public static <T> Flux<T> release(Flux<T> flux) {
        return Flux.deferContextual(context -> context.hasKey(DECLARED) ? flux
                : flux.doOnDiscard(DataBuffer.class, new ReleaseOnce()::release)
                        .contextWrite(Context.of(DECLARED, Boolean.TRUE)));
    }

    /**
     * One subscription's discard hook. It remembers the buffers it released, by identity; only
     * discarded ones, which operators drop when the stream ends, so as many as they had queued.
     */
    private static final class ReleaseOnce {
        private Set<DataBuffer> released;

        void release(DataBuffer buffer) {
            synchronized (this) {
                if (released == null) {
                    released = Collections.newSetFromMap(new IdentityHashMap<>());
                }
                if (!released.add(buffer)) {
                    return;
                }
            }
            DataBufferUtils.release(buffer);
        }
    }
}
