package io.granary.redis;

/**
 * A call to the shared Redis failed, timed out, or was not even tried because Redis failed
 * recently. Callers fall back to what they can do on their own; it never reaches a client.
 */
public final class RedisUnavailableException extends RuntimeException {

    RedisUnavailableException(String message, Throwable cause) {
        // No stack trace: it is an expected condition that can occur on every request during an
        // outage, and the cause (when there is one) carries the interesting trace.
        super(message, cause, false, false);
    }
}
