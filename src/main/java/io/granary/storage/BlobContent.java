package io.granary.storage;

import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import java.nio.file.Path;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.NettyDataBufferFactory;
import reactor.core.publisher.Flux;

/**
 * The bytes of an opened blob (or of a range of it). The caller must subscribe to
 * {@link #stream()} or drop the value: a stream holds nothing until subscribed, and every
 * buffer it emits must be released by whoever consumes it.
 */
public sealed interface BlobContent {

    /** Bytes to forward; each emitted buffer is owned by the subscriber. */
    Flux<DataBuffer> stream();

    /** Content read from a remote store (or any store without local files). */
    record Streamed(Flux<DataBuffer> stream) implements BlobContent {
    }

    /**
     * Bytes already in memory (a cached small object), shared and never modified. {@link #stream()}
     * emits them as one buffer per subscription, wrapped without a copy; a writer that sends one
     * whole response may wrap {@link #bytes()} itself.
     */
    record InMemory(byte[] bytes, int offset, int length) implements BlobContent {

        /** Wraps without allocating: the allocator is never asked for memory here. */
        private static final NettyDataBufferFactory BUFFERS = new NettyDataBufferFactory(UnpooledByteBufAllocator.DEFAULT);

        /**
         * A Netty buffer, which Reactor Netty writes as it is: a plain {@code DefaultDataBuffer}
         * was copied into a fresh heap buffer on every response (Spring converts foreign buffers
         * with a copy). The wrapper is made per subscription and released after writing; the
         * array it shares never is.
         */
        @Override
        public Flux<DataBuffer> stream() {
            return Flux.defer(() -> Flux.just(BUFFERS.wrap(Unpooled.wrappedBuffer(bytes, offset, length))));
        }
    }

    /**
     * A region of a local file, which a server may send with zero-copy {@code sendfile};
     * {@link #stream()} reads the same bytes for writers that cannot.
     */
    record LocalFile(Path path, long position, long count, Flux<DataBuffer> stream) implements BlobContent {
    }
}
