package io.granary.upload;

import io.granary.common.DiscardedBuffers;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousFileChannel;
import java.nio.channels.CompletionHandler;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.core.io.buffer.DefaultDataBufferFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.MonoSink;
import reactor.core.scheduler.Schedulers;

/**
 * A node-local copy of the bytes of one tus window while they stream to the store. A part or
 * tail upload is all or nothing, so without it the bytes of a window cut off midway were lost;
 * with it they become the new tail and the client resumes from the last byte received, as tus
 * asks of a server ("store as much of the received data as possible").
 *
 * <p>Each buffer is written to a temporary file before it goes on, so {@link #size()} never
 * counts a byte the store could have that the file does not. A failing disk stops the copying,
 * not the upload: the window then goes on as before, losing only the keep-what-arrived promise.
 * The file lives as long as its window (at most one part size per PATCH being written).
 */
final class WindowSpool {

    private static final Logger LOG = LoggerFactory.getLogger(WindowSpool.class);
    private static final int READ_BUFFER_SIZE = 64 * 1024;

    private final Path file;
    private final AsynchronousFileChannel channel;
    private volatile long size;
    private volatile boolean broken;
    private volatile boolean deleted;

    private WindowSpool(Path file, AsynchronousFileChannel channel) {
        this.file = file;
        this.channel = channel;
        this.broken = channel == null;
    }

    /**
     * A new, empty spool file in the JVM's temporary directory; {@link #delete()} must follow.
     * Never fails: without a file the spool passes bytes on and keeps none.
     */
    static Mono<WindowSpool> create() {
        return create(Path.of(System.getProperty("java.io.tmpdir")));
    }

    /** As {@link #create()}, in {@code directory}. */
    static Mono<WindowSpool> create(Path directory) {
        return Mono.fromCallable(() -> {
                    Path file = Files.createTempFile(directory, "granary-tus-", ".window");
                    try {
                        return new WindowSpool(file, AsynchronousFileChannel.open(file, StandardOpenOption.WRITE));
                    } catch (IOException | RuntimeException e) {
                        Files.deleteIfExists(file);
                        throw e;
                    }
                })
                .subscribeOn(Schedulers.boundedElastic())
                .onErrorResume(error -> {
                    LOG.warn("No tus spool file ({}); an interruption loses this window", error.toString());
                    return Mono.just(new WindowSpool(null, null));
                });
    }

    /**
     * {@code bytes}, each buffer passed on once it is in the file. An error of {@code bytes} is
     * passed on only after every buffer that arrived before it was written (an error at the
     * boundary of the write in flight would leave a queued buffer behind, unfreed), so the file
     * holds every byte that arrived.
     */
    Flux<DataBuffer> copying(Flux<DataBuffer> bytes) {
        // A buffer whose write ends after the window was cancelled is ours to free.
        return DiscardedBuffers.release(bytes.concatMapDelayError(this::append, true, 1));
    }

    /** Bytes in the file, all of them written. */
    long size() {
        return broken ? 0 : size;
    }

    /** The first {@code size()} bytes, read from the file. */
    Flux<DataBuffer> read() {
        long count = size();
        return DataBufferUtils.takeUntilByteCount(DataBufferUtils.readAsynchronousFileChannel(
                        () -> AsynchronousFileChannel.open(file, StandardOpenOption.READ), 0,
                        DefaultDataBufferFactory.sharedInstance, READ_BUFFER_SIZE), count)
                .subscribeOn(Schedulers.boundedElastic());
    }

    /** Closes and removes the file; never fails. */
    Mono<Void> delete() {
        return Mono.<Void>fromRunnable(() -> {
            deleted = true;
            if (channel == null) {
                return;
            }
            try {
                channel.close();
                Files.deleteIfExists(file);
            } catch (IOException e) {
                LOG.warn("Could not remove tus spool file {}: {}", file, e.toString());
            }
        }).subscribeOn(Schedulers.boundedElastic());
    }

    private Mono<DataBuffer> append(DataBuffer buffer) {
        if (broken || buffer.readableByteCount() == 0) {
            // Hidden: for a plain Mono.just, concatMap also discards (releases) the buffer it has
            // just handed on when the consumer cancels during onNext (reactor-core#4352).
            return Mono.just(buffer).hide();
        }
        return Mono.create(sink -> {
            List<ByteBuffer> views = new ArrayList<>(1);
            try (DataBuffer.ByteBufferIterator it = buffer.readableByteBuffers()) {
                it.forEachRemaining(views::add);
            }
            write(views, 0, size, buffer, sink);
        });
    }

    /** Writes {@code views[index..]} at {@code position}, one completion at a time. */
    private void write(List<ByteBuffer> views, int index, long position, DataBuffer buffer, MonoSink<DataBuffer> sink) {
        if (index == views.size()) {
            size = position;
            sink.success(buffer);
            return;
        }
        ByteBuffer view = views.get(index);
        channel.write(view, position, null, new CompletionHandler<Integer, Void>() {
            @Override
            public void completed(Integer written, Void attachment) {
                write(views, view.hasRemaining() ? index : index + 1, position + written, buffer, sink);
            }

            @Override
            public void failed(Throwable error, Void attachment) {
                if (!broken && !deleted) {
                    LOG.warn("Stopped copying a tus window to {}: {}; an interruption now loses this window", file, error.toString());
                }
                broken = true;
                sink.success(buffer);
            }
        });
    }
}
