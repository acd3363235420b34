package io.granary.storage.fs;

import io.granary.common.DiscardedBuffers;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.CancellationException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/** Streams a body into a new file of the store's temporary directory. */
final class TempFiles {

    /**
     * Buffers queued for the writing thread. Bodies arrive in batches of about a mebibyte
     * (see {@code BodyDigest}); two keep the disk busy while the next one is hashed, and bound
     * what an upload holds here.
     */
    private static final int QUEUED = 2;

    private TempFiles() {
    }

    /**
     * Writes {@code body} into {@code file}, which must not exist yet, releasing every buffer
     * (written, or dropped by a cancel). Each buffer is written with one gathering write on a
     * bounded-elastic thread, and the file is flushed to disk in the background as it grows
     * ({@link Writeback}), so the caller's final {@code force} has only the tail left to do.
     * Opening and closing run on the bounded-elastic scheduler; failures go through
     * {@code translate}. On error or cancel the file is closed, then deleted: a cancel can
     * arrive while the file is still being opened, so a deletion by the caller at that moment
     * could come before the file exists.
     */
    static Mono<Void> write(Flux<DataBuffer> body, Path file, Function<Throwable, Throwable> translate) {
        // Blocking writes of whole batches rather than DataBufferUtils.write to an
        // AsynchronousFileChannel: that writes one buffer (and each component of a composite
        // one) at a time, each a hand-off to the channel's thread pool and back, which made
        // uploads wait on thread wake-ups rather than on the disk (docs/benchmarks.md).
        AtomicBoolean abandoned = new AtomicBoolean();
        Mono<FileChannel> open = Mono.fromCallable(() -> open(file, abandoned))
                .subscribeOn(Schedulers.boundedElastic())
                .onErrorMap(translate)
                .doOnCancel(() -> abandoned.set(true))
                // Cancelled between the check in open() and the hand-over: the channel then
                // arrives to nobody. This runs on the bounded-elastic thread that opened it.
                .doOnDiscard(FileChannel.class, channel -> discard(channel, file));
        return Flux.usingWhen(open,
                        channel -> {
                            Writeback writeback = new Writeback(channel);
                            // Buffers still queued for the writer when the stream is cancelled
                            // or fails are discarded, and released by the hook.
                            return DiscardedBuffers.release(body.publishOn(Schedulers.boundedElastic(), QUEUED)
                                    .<Void>handle((buffer, sink) -> {
                                        try {
                                            writeback.write(buffer);
                                        } catch (IOException | RuntimeException e) {
                                            sink.error(translate.apply(e));
                                        } finally {
                                            DataBufferUtils.release(buffer);
                                        }
                                    }));
                        },
                        channel -> close(channel, null, translate),
                        (channel, error) -> close(channel, file, translate),
                        channel -> close(channel, file, translate))
                .then();
    }

    /**
     * Opens the new file. A cancel can interrupt the opening thread after the file was created
     * (the open then fails) or arrive while it opens (nobody takes the channel): in both cases
     * the file is deleted here, where its creation is known, rather than by a caller who cannot
     * tell whether it exists yet.
     */
    private static FileChannel open(Path file, AtomicBoolean abandoned) throws IOException {
        FileChannel channel;
        try {
            channel = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        } catch (FileAlreadyExistsException notOurs) {
            throw notOurs;
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(file);
            throw e;
        }
        if (abandoned.get()) {
            discard(channel, file);
            throw new CancellationException("abandoned while opening " + file);
        }
        return channel;
    }

    private static void discard(FileChannel channel, Path file) {
        try {
            channel.close();
            Files.deleteIfExists(file);
        } catch (IOException e) {
            // Left for the store's purge of old temporary files.
        }
    }

    /**
     * Closes the channel and, if {@code discard} is not {@code null}, deletes that file. Closing
     * waits for a background flush still running on the channel.
     */
    private static Mono<Boolean> close(FileChannel channel, Path discard, Function<Throwable, Throwable> translate) {
        return Mono.fromCallable(() -> {
                    try {
                        channel.close();
                    } finally {
                        if (discard != null) {
                            Files.deleteIfExists(discard);
                        }
                    }
                    return true;
                })
                .subscribeOn(Schedulers.boundedElastic())
                .onErrorMap(translate);
    }
}
