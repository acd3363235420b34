package io.granary.ratelimit;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.granary.config.GranaryProperties;
import io.granary.error.ErrorCode;
import io.granary.error.GranaryException;
import io.granary.security.Principal;
import java.time.Duration;
import java.util.Map;
import org.springframework.stereotype.Component;

/**
 * Token-bucket rate limits per API key and per tenant, kept in this process: each node limits
 * what reaches it. (Limits shared by all nodes through Redis are a later step; these buckets
 * are then the fallback while Redis is unavailable.) A refusal is a 429 {@code rate_limited}
 * with {@code Retry-After}. The root key is not limited.
 */
@Component
public class RateLimiter {

    private final GranaryProperties.RateLimit limits;
    private final Cache<String, TokenBucket> buckets = Caffeine.newBuilder()
            .maximumSize(100_000)
            .expireAfterAccess(Duration.ofMinutes(10))
            .build();

    public RateLimiter(GranaryProperties properties) {
        this.limits = properties.rateLimit();
    }

    /**
     * Takes one request from the caller's limits or fails with {@code rate_limited}.
     *
     * @param keyRequestsPerSecond the key's own limit overriding the default, or {@code null}
     */
    public void acquire(Principal principal, Double keyRequestsPerSecond) {
        if (!limits.enabled() || principal.system()) {
            return;
        }
        long now = System.nanoTime();
        TokenBucket key = null;
        if (principal instanceof Principal.Member member) {
            double rate = keyRequestsPerSecond != null ? keyRequestsPerSecond : limits.keyRequestsPerSecond();
            key = buckets.get("k:" + member.actor() + ":" + rate, ignored -> new TokenBucket(rate * limits.burstSeconds(), rate, now));
            refuseIfWaiting(key.take(now), "API key");
        }
        TokenBucket tenant = buckets.get("t:" + principal.tenantId(), ignored -> new TokenBucket(
                limits.tenantRequestsPerSecond() * limits.burstSeconds(), limits.tenantRequestsPerSecond(), now));
        long wait = tenant.take(now);
        if (wait > 0 && key != null) {
            key.giveBack(); // refused by the tenant's limit: the key's token was not used
        }
        refuseIfWaiting(wait, "tenant");
    }

    private static void refuseIfWaiting(long waitNanos, String whose) {
        if (waitNanos > 0) {
            long seconds = Math.max(1, (waitNanos + 999_999_999L) / 1_000_000_000L);
            throw new GranaryException(ErrorCode.RATE_LIMITED, "Too many requests for this " + whose + "; retry in "
                    + seconds + " s.", Map.of("Retry-After", Long.toString(seconds)));
        }
    }
}
