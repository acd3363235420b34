package io.granary.redis;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Whether Redis may be called now: closed (calls go through) until a failure, then open for
 * the retry interval, then one caller at a time probes it. Times are {@link System#nanoTime()}
 * values passed in, so the logic is testable without sleeping.
 */
final class Breaker {

    /** Marks the closed state; no nanoTime value is compared with it. */
    private static final long CLOSED = Long.MIN_VALUE;

    private final long retryNanos;
    /** {@link #CLOSED}, or the time from which one caller may try Redis again. */
    private final AtomicLong retryAt = new AtomicLong(CLOSED);

    Breaker(long retryNanos) {
        this.retryNanos = retryNanos;
    }

    /**
     * Whether a call may go to Redis now. While open, the first caller past the retry time gets
     * to probe, and moves the retry time on so that the others keep falling back meanwhile.
     */
    boolean allow(long now) {
        long at = retryAt.get();
        if (at == CLOSED) {
            return true;
        }
        return now - at >= 0 && retryAt.compareAndSet(at, now + retryNanos);
    }

    /** Records a success; returns whether the breaker was open (Redis just came back). */
    boolean succeeded() {
        return retryAt.getAndSet(CLOSED) != CLOSED;
    }

    /** Records a failure; returns whether the breaker was closed (an outage just began). */
    boolean failed(long now) {
        return retryAt.getAndSet(now + retryNanos) == CLOSED;
    }

    boolean isOpen() {
        return retryAt.get() != CLOSED;
    }
}
