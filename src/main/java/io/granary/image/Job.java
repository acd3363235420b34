package io.granary.image;

import java.util.concurrent.CancellationException;
import javax.imageio.ImageReader;

/**
 * One job's cancellation: set when its request timed out or went away. The work checks it
 * between steps and row by row; the reader in use is aborted (ImageIO's own way to stop a decode
 * midway). Threads are not interrupted: a late interrupt could hit the thread's next job, and
 * neither file reads through {@code RandomAccessFile} nor the native WebP encoder heed one.
 */
final class Job {

    private volatile boolean cancelled;
    private volatile ImageReader reader;

    boolean cancelled() {
        return cancelled;
    }

    /** Throws when cancelled: the work is abandoned, its result would go nowhere. */
    void check() {
        if (cancelled) {
            throw new CancellationException("rendition abandoned");
        }
    }

    void cancel() {
        cancelled = true;
        ImageReader current = reader;
        if (current != null) {
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

    /** The reader a cancellation should abort while it decodes. */
    void reading(ImageReader current) {
        this.reader = current;
        if (cancelled) {
            abort(current);
        }
    }

    void detach() {
        this.reader = null;
    }
}
