package io.granary.image;

import java.util.concurrent.CancellationException;
import java.util.concurrent.atomic.AtomicInteger;
import javax.imageio.ImageReader;

/**
 * One job's life on the pool: waiting, running, done, or cancelled because its request timed out
 * or went away. A job cancelled while it waits gives its place back at once and never runs; a
 * running one is told through {@link #check()} (called between steps and row by row) and has
 * the reader in use aborted (ImageIO's own way to stop a decode midway). Threads are not
 * interrupted: a late interrupt could hit the thread's next job, and neither file reads through
 * {@code RandomAccessFile} nor the native WebP encoder heed one.
 */
final class Job {

    private static final int WAITING = 0;
    private static final int RUNNING = 1;
    private static final int ENDED = 2;

    private final AtomicInteger state = new AtomicInteger(WAITING);
    private final Runnable release;
    private volatile boolean cancelled;
    private volatile ImageReader reader;

    /** @param release gives the job's place in the pool back; called exactly once */
    Job(Runnable release) {
        this.release = release;
    }

    /** A job outside any pool (tests, direct calls). */
    Job() {
        this(() -> { });
    }

    boolean cancelled() {
        return cancelled;
    }

    /** Throws when cancelled: the work is abandoned, its result would go nowhere. */
    void check() {
        if (cancelled) {
            throw new CancellationException("rendition abandoned");
        }
    }

    /** Called by the pool thread before the work: whether to run it (false once cancelled). */
    boolean start() {
        return state.compareAndSet(WAITING, RUNNING);
    }

    /** Called by the pool thread after the work. */
    void end() {
        reader = null;
        if (state.compareAndSet(RUNNING, ENDED)) {
            release.run();
        }
    }

    void cancel() {
        cancelled = true;
        if (state.compareAndSet(WAITING, ENDED)) {
            release.run();
            return;
        }
        ImageReader current = reader;
        if (current != null) {
            abort(current);
        }
    }

    /** The reader a cancellation should abort while it decodes. */
    void reading(ImageReader current) {
        this.reader = current;
        if (cancelled) {
            abort(current);
        }
    }

    private static void abort(ImageReader reader) {
        try {
            reader.abort();
        } catch (IllegalStateException disposed) {
            // The job ended meanwhile and disposed of its reader: nothing left to stop.
        }
    }
}
