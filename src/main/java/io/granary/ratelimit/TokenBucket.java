package io.granary.ratelimit;

/**
 * A classic token bucket: {@code capacity} tokens, refilled at {@code perSecond}, one taken per
 * request. Thread-safe; the critical section is a few arithmetic operations.
 */
final class TokenBucket {

    private final double capacity;
    private final double perSecond;
    private double tokens;
    private long updatedNanos;

    TokenBucket(double capacity, double perSecond, long nowNanos) {
        this.capacity = capacity;
        this.perSecond = perSecond;
        this.tokens = capacity;
        this.updatedNanos = nowNanos;
    }

    /** Takes a token and returns 0, or returns how many nanoseconds until one is available. */
    synchronized long take(long nowNanos) {
        tokens = Math.min(capacity, tokens + (nowNanos - updatedNanos) * perSecond / 1e9);
        updatedNanos = nowNanos;
        if (tokens >= 1) {
            tokens -= 1;
            return 0;
        }
        return (long) Math.ceil((1 - tokens) / perSecond * 1e9);
    }

    /** Gives back a token taken by a request that another limit then refused. */
    synchronized void giveBack() {
        tokens = Math.min(capacity, tokens + 1);
    }
}
