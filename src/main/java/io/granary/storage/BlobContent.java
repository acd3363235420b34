package io.granary.storage;

import java.nio.file.Path;
import org.springframework.core.io.buffer.DataBuffer;
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
     * A region of a local file, which a server may send with zero-copy {@code sendfile};
     * {@link #stream()} reads the same bytes for writers that cannot.
     */
    record LocalFile(Path path, long position, long count, Flux<DataBuffer> stream) implements BlobContent {
    }
}
