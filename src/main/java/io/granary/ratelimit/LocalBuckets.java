package io.granary.ratelimit;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.granary.config.GranaryProperties;
import java.time.Duration;

/**
 * Token buckets in this process: each node limits only what reaches it. The only limits without
 * Redis, and the fallback while Redis is unavailable. Synchronous and cheap (a map lookup and a
 * few arithmetic operations per bucket), so it may run on an event-loop thread.
 */
final class LocalBuckets {

    private final GranaryProperties.RateLimit limits;
    private final Cache<String, TokenBucket> buckets = Caffeine.newBuilder()
            .maximumSize(100_000)
            .expireAfterAccess(Duration.ofMinutes(10))
            .build();

    LocalBuckets(GranaryProperties.RateLimit limits) {
        this.limits = limits;
    }

    Verdict take(String tenantId, String callerId, double callerRate) {
        long now = System.nanoTime();
        TokenBucket caller = null;
        if (callerId != null) {
            // The rate is part of the name so that a changed rate starts a bucket of the new size.
            caller = buckets.get("k:" + callerId + ":" + callerRate,
                    ignored -> new TokenBucket(callerRate * limits.burstSeconds(), callerRate, now));
            long wait = caller.take(now);
            if (wait > 0) {
                return new Verdict(wait, Verdict.CALLER);
            }
        }
        TokenBucket tenant = buckets.get("t:" + tenantId, ignored -> new TokenBucket(
                limits.tenantRequestsPerSecond() * limits.burstSeconds(), limits.tenantRequestsPerSecond(), now));
        long wait = tenant.take(now);
        if (wait > 0) {
            if (caller != null) {
                caller.giveBack(); // refused by the tenant's limit: the caller's token was not used
            }
            return new Verdict(wait, Verdict.TENANT);
        }
        return Verdict.ADMITTED;
    }
}
