package io.granary.storage.fs;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.io.buffer.DataBuffer;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * Writes buffers to a file with gathering writes, and starts flushing the file to disk in the
 * background each time {@link #FLUSH_BYTES} more were written, one flush at a time.
 *
 * <p>Why flush early: a blob is forced to disk before its record commits. Left to itself, the
 * kernel writes a large upload's dirty pages back only long after the upload (30 s, or a tenth
 * of the RAM), so that final force wrote the whole object while the client waited: at disk
 * speed, on top of the transfer. Flushed as it grows, the disk works while the body arrives and
 * the final force has only the last few mebibytes left. Durability is unchanged: the early
 * flushes only start the writeback sooner; the commit still forces the whole file.
 *
 * <p>{@link #write} is called by one thread at a time (the upload's writer); the flushes run on
 * the bounded-elastic scheduler. Not thread-safe otherwise.
 */
final class Writeback {

    private static final Logger log = LoggerFactory.getLogger(Writeback.class);
    static final long FLUSH_BYTES = 16L * 1024 * 1024;

    private final FileChannel channel;
    private final AtomicBoolean flushing = new AtomicBoolean();
    private long unflushed;

    Writeback(FileChannel channel) {
        this.channel = channel;
    }

    /** Writes all readable bytes of {@code buffer} at the file's position; blocks. Does not release it. */
    void write(DataBuffer buffer) throws IOException {
        List<ByteBuffer> views = new ArrayList<>(4);
        try (DataBuffer.ByteBufferIterator iterator = buffer.readableByteBuffers()) {
            iterator.forEachRemaining(views::add);
        }
        ByteBuffer[] sources = views.toArray(ByteBuffer[]::new);
        long remaining = buffer.readableByteCount();
        while (remaining > 0) {
            remaining -= channel.write(sources); // one writev for the whole batch, as a rule
        }
        unflushed += buffer.readableByteCount();
        if (unflushed >= FLUSH_BYTES && flushing.compareAndSet(false, true)) {
            unflushed = 0;
            Mono.fromRunnable(this::flush).subscribeOn(Schedulers.boundedElastic()).subscribe();
        }
    }

    private void flush() {
        try {
            channel.force(false);
        } catch (IOException e) {
            // Closed by a cancel meanwhile, or a disk error that the final force reports anyway.
            log.debug("background flush failed: {}", e.toString());
        } finally {
            flushing.set(false);
        }
    }
}
