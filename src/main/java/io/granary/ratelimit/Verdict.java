package io.granary.ratelimit;

import io.granary.error.ErrorCode;
import io.granary.error.GranaryException;
import java.util.Map;
import reactor.core.publisher.Mono;

/**
 * The outcome of taking a request from the buckets: admitted, or how long until the bucket that
 * refused would have a token.
 *
 * @param waitNanos 0 when admitted
 * @param whose the refusing limit for the error message: {@code "API key"} or {@code "tenant"}
 */
record Verdict(long waitNanos, String whose) {

    static final Verdict ADMITTED = new Verdict(0, null);
    static final String CALLER = "API key";
    static final String TENANT = "tenant";

    /** Completes when admitted, else fails with 429 {@code rate_limited} and whole seconds of {@code Retry-After}. */
    Mono<Void> toMono() {
        if (waitNanos <= 0) {
            return Mono.empty();
        }
        long seconds = Math.max(1, (waitNanos + 999_999_999L) / 1_000_000_000L);
        return Mono.error(new GranaryException(ErrorCode.RATE_LIMITED, "Too many requests for this " + whose
                + "; retry in " + seconds + " s.", Map.of("Retry-After", Long.toString(seconds))));
    }
}
