package io.granary.storage.fs;

import io.granary.common.DiscardedBuffers;
import java.io.IOException;
import java.nio.channels.AsynchronousFileChannel;
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

    private TempFiles() {
    }

    /**
     * Writes {@code body} into {@code file}, which must not exist yet, releasing every buffer
     * (written, or dropped by a cancel). Opening and closing run on the bounded-elastic
     * scheduler; their failures go through {@code translate}. On error or cancel the file is
     * closed, then deleted: a cancel can arrive while the file is still being opened, so a
     * deletion by the caller at that moment could come before the file exists.
     */
    static Mono<Void> write(Flux<DataBuffer> body, Path file, Function<Throwable, Throwable> translate) {
        // Our own channel handling rather than DataBufferUtils.write(source, path): that variant
        // keeps consuming the body after its Mono is cancelled.
        AtomicBoolean abandoned = new AtomicBoolean();
        Mono<AsynchronousFileChannel> open = Mono.fromCallable(() -> open(file, abandoned))
                .subscribeOn(Schedulers.boundedElastic())
                .onErrorMap(translate)
                .doOnCancel(() -> abandoned.set(true))
                // Cancelled between the check in open() and the hand-over: the channel then
                // arrives to nobody. This runs on the bounded-elastic thread that opened it.
                .doOnDiscard(AsynchronousFileChannel.class, channel -> discard(channel, file));
        return Flux.usingWhen(open,
                        // Written buffers come back to be released; one whose write completes
                        // after a cancel is dropped by the sink, and the discard hook frees it.
                        channel -> DiscardedBuffers.release(DataBufferUtils.write(body, channel)
                                .doOnNext(DataBufferUtils::release)),
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
    private static AsynchronousFileChannel open(Path file, AtomicBoolean abandoned) throws IOException {
        AsynchronousFileChannel channel;
        try {
            channel = AsynchronousFileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
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

    private static void discard(AsynchronousFileChannel channel, Path file) {
        try {
            channel.close();
            Files.deleteIfExists(file);
        } catch (IOException e) {
            // Left for the store's purge of old temporary files.
        }
    }

    /** Closes the channel and, if {@code discard} is not {@code null}, deletes that file. */
    private static Mono<Boolean> close(AsynchronousFileChannel channel, Path discard, Function<Throwable, Throwable> translate) {
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
