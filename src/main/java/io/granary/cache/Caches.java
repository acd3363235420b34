package io.granary.cache;

import io.granary.config.GranaryProperties;
import io.granary.redis.SharedRedis;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.annotation.PreDestroy;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.stereotype.Component;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import tools.jackson.databind.json.JsonMapper;

/**
 * Makes the node's {@link TwoTierCache}s and keeps them coherent with the other nodes: it listens
 * on the Redis invalidation channel and evicts what other nodes invalidated, and when that
 * channel was lost it drops every metadata cache's memory tier (bytes caches hold immutable
 * values and keep theirs). Without Redis, caches live in memory only with the short
 * {@code local-ttl}; with {@code granary.cache.enabled=false}, nothing is cached.
 */
@Component
public class Caches {

    private static final Logger log = LoggerFactory.getLogger(Caches.class);
    static final String CHANNEL = "granary:cache:invalidate";
    private static final Duration REPLAY_INTERVAL = Duration.ofSeconds(1);

    private final GranaryProperties.Cache settings;
    private final SharedRedis redis;
    private final MeterRegistry meters;
    private final JsonMapper json;
    private final Map<String, TwoTierCache<?>> caches = new ConcurrentHashMap<>();
    private final Disposable replay;

    Caches(GranaryProperties properties, ObjectProvider<SharedRedis> redis, MeterRegistry meters, JsonMapper json) {
        this.settings = properties.cache();
        this.redis = redis.getIfAvailable();
        this.meters = meters;
        this.json = json;
        if (this.redis != null && settings.enabled()) {
            this.redis.subscribe(CHANNEL, this::received, this::lostMessages);
            // Invalidations Redis missed are replayed every second (see TwoTierCache).
            this.replay = Flux.interval(REPLAY_INTERVAL)
                    .onBackpressureDrop()
                    .concatMap(tick -> Flux.fromIterable(caches.values()).concatMap(TwoTierCache::replayPending), 1)
                    .subscribe();
        } else {
            this.replay = null;
        }
    }

    @PreDestroy
    void stop() {
        if (replay != null) {
            replay.dispose();
        }
    }

    /** A metadata cache of JSON-mapped records (loading straight from the source when caching is disabled). */
    public <V> TwoTierCache<V> metadata(String name, Class<V> type) {
        return create(new CacheSpec(name, redis != null ? settings.ttl() : settings.localTtl(), settings.sharedTtl(),
                settings.negativeTtl(), settings.metadataMemory().toBytes(), false), CacheCodec.json(json, type));
    }

    /** A cache of immutable byte arrays (objects' bytes by blob version). */
    public TwoTierCache<byte[]> bytes(String name) {
        return create(new CacheSpec(name, settings.sharedTtl(), settings.sharedTtl(), settings.negativeTtl(),
                settings.objectMemory().toBytes(), true), CacheCodec.bytes());
    }

    /** Objects up to this many bytes have their bytes cached. */
    public long objectMaxSize() {
        return settings.objectMaxSize().toBytes();
    }

    private <V> TwoTierCache<V> create(CacheSpec spec, CacheCodec<V> codec) {
        TwoTierCache<V> cache = new TwoTierCache<>(spec, settings.enabled(), codec, redis, CHANNEL, meters);
        if (caches.putIfAbsent(spec.name(), cache) != null) {
            throw new IllegalStateException("two caches named " + spec.name());
        }
        return cache;
    }

    /** Another node invalidated a key: {@code <cache>|<key>}. */
    private void received(String message) {
        int bar = message.indexOf('|');
        TwoTierCache<?> cache = bar < 0 ? null : caches.get(message.substring(0, bar));
        if (cache != null) {
            cache.evictLocal(message.substring(bar + 1));
        }
    }

    private void lostMessages() {
        log.info("Cache invalidation channel lost or regained: dropping this node's cached metadata");
        caches.values().stream().filter(cache -> !cache.spec().immutable()).forEach(TwoTierCache::clearLocal);
    }
}
