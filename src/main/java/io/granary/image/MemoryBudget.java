package io.granary.image;

import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * Bounds the memory all renditions in progress hold together: each reserves what its decoded
 * source and its canvas will take before it decodes, and waits (on its worker thread, heeding
 * cancellation) while others hold too much. Without it, {@code threads} sources at the pixel
 * limit decoded at once could exhaust the heap; with it, large renditions take turns while
 * small ones pass. One that alone needs more than the whole budget waits until it has the whole
 * budget, and then runs alone.
 */
final class MemoryBudget {

    private static final long MIB = 1 << 20;

    private final Semaphore mebibytes;
    private final int total;

    MemoryBudget(long bytes) {
        this.total = (int) Math.max(1, Math.min(Integer.MAX_VALUE, bytes / MIB));
        this.mebibytes = new Semaphore(total, true);
    }

    /** The default: half the heap, the rest being the node's other work. */
    static MemoryBudget halfTheHeap() {
        return new MemoryBudget(Runtime.getRuntime().maxMemory() / 2);
    }

    /** A reservation; closing it gives the memory back. */
    interface Reservation extends AutoCloseable {
        @Override
        void close();
    }

    /** Reserves {@code bytes} (at most the whole budget), waiting as long as it must unless the job is cancelled. */
    Reservation reserve(long bytes, Job job) {
        int need = (int) Math.min(total, Math.max(1, (bytes + MIB - 1) / MIB));
        try {
            while (!mebibytes.tryAcquire(need, 50, TimeUnit.MILLISECONDS)) {
                job.check();
            }
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
            throw new java.util.concurrent.CancellationException("interrupted while waiting for memory");
        }
        boolean[] released = new boolean[1];
        return () -> {
            if (!released[0]) {
                released[0] = true;
                mebibytes.release(need);
            }
        };
    }

    /** The whole budget in bytes. */
    long bytes() {
        return total * MIB;
    }

    /** Mebibytes not reserved now. */
    int available() {
        return mebibytes.availablePermits();
    }
}
