package io.granary.ratelimit;

import io.granary.security.Principal;
import reactor.core.publisher.Mono;

/**
 * Token-bucket rate limits per caller (an API key) and per tenant. Each bucket holds
 * {@code burst-seconds} worth of requests and refills continuously at its rate; a request takes
 * one token from the caller's bucket and one from its tenant's, or none at all.
 *
 * <p>With {@code granary.redis.url} set the buckets live in Redis, so all nodes share one budget;
 * while Redis is unavailable each node decides alone with in-process buckets. Without Redis the
 * in-process buckets are all there is.
 */
public interface RateLimiter {

    /**
     * Takes one request from the limits that apply.
     *
     * @param tenantId the tenant whose budget the request counts against, or {@code null} for a
     *     caller that is not limited at all (root)
     * @param callerId identifies the caller's own bucket (an API key or user, as its audit actor), or {@code null} when only
     *     the tenant's limit applies (signed URLs, anonymous readers)
     * @param callerRequestsPerSecond the caller's own rate, overriding
     *     {@code granary.rate-limit.key-requests-per-second}; {@code null} for the default
     * @return completes empty when the request may proceed; fails with a {@code GranaryException}
     *     {@code rate_limited} (429) carrying {@code Retry-After} when it may not. It fails in no
     *     other way: an unavailable Redis means in-process limits, never an error.
     */
    Mono<Void> acquire(String tenantId, String callerId, Double callerRequestsPerSecond);

    /**
     * Takes one request of an authenticated caller, as {@link #acquire}: a member (API key, S3
     * credential, user) from its own bucket and its tenant's; anyone else (signed URLs, anonymous
     * readers) from the tenant's alone; the root key from none.
     */
    default Mono<Void> admit(Principal principal) {
        Principal.Member member = principal instanceof Principal.Member m ? m : null;
        return acquire(principal.tenantId(), member != null ? member.actor() : null,
                member != null ? member.requestsPerSecond() : null);
    }
}
