package io.granary.cache;

import java.time.Duration;

/**
 * One cache's settings.
 *
 * @param name short name, used in Redis keys, invalidation messages and metrics
 * @param ttl how long a value stays in the node's memory (with jitter) while other nodes'
 *     invalidations reach it; in Redis it stays {@code sharedTtl}
 * @param localTtl how long a value stays in the node's memory when they cannot: without Redis,
 *     and while the invalidation channel is down
 * @param sharedTtl how long a value stays in Redis
 * @param negativeTtl how long "not found" is remembered (in the node's memory only)
 * @param maxWeight the most bytes the node's memory tier may hold for this cache
 * @param immutable whether values never change for a key (blob bytes): no invalidation needed,
 *     and losing the invalidation channel does not clear them
 */
public record CacheSpec(String name, Duration ttl, Duration localTtl, Duration sharedTtl, Duration negativeTtl,
                        long maxWeight, boolean immutable) {
}
