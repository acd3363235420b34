package io.granary.ratelimit;

import io.granary.config.GranaryProperties;
import io.granary.redis.SharedRedis;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;

/**
 * {@link RateLimiter} on Redis buckets when a {@link SharedRedis} exists, on in-process buckets
 * otherwise and for every request Redis does not answer in time. {@link SharedRedis} keeps a
 * failing Redis out of the way for its retry interval and logs the outage once, so the fallback
 * costs requests nothing but the per-node limits.
 */
@Component
class TokenBucketRateLimiter implements RateLimiter {

    private static final Logger log = LoggerFactory.getLogger(TokenBucketRateLimiter.class);

    private final GranaryProperties.RateLimit limits;
    private final LocalBuckets local;
    /** {@code null} without Redis. */
    private final RedisBuckets shared;

    TokenBucketRateLimiter(GranaryProperties properties, ObjectProvider<SharedRedis> redis) {
        this.limits = properties.rateLimit();
        this.local = new LocalBuckets(limits);
        SharedRedis sharedRedis = redis.getIfAvailable();
        this.shared = sharedRedis == null ? null : new RedisBuckets(sharedRedis, limits);
        if (limits.enabled()) {
            log.info("Rate limits: {}", shared != null ? "shared through Redis, per node while it is unavailable" : "per node");
        }
    }

    @Override
    public Mono<Void> acquire(String tenantId, String callerId, Double callerRequestsPerSecond) {
        if (!limits.enabled() || tenantId == null) {
            return Mono.empty();
        }
        double callerRate = callerRequestsPerSecond != null ? callerRequestsPerSecond : limits.keyRequestsPerSecond();
        if (shared == null) {
            return local.take(tenantId, callerId, callerRate).toMono();
        }
        return shared.take(tenantId, callerId, callerRate)
                // Whatever went wrong with Redis (unreachable, slow, a script error), this node's
                // own buckets decide instead.
                .onErrorResume(unavailable -> Mono.fromSupplier(() -> local.take(tenantId, callerId, callerRate)))
                .flatMap(Verdict::toMono);
    }
}
