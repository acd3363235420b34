package io.granary.cache;

import io.granary.config.GranaryProperties;
import io.granary.redis.SharedRedis;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.stereotype.Component;
import reactor.core.Disposable;
import reactor.core.Disposables;
import reactor.core.publisher.Flux;
import reactor.core.scheduler.Schedulers;
import tools.jackson.databind.json.JsonMapper;

/**
 * Makes the node's {@link TwoTierCache}s and keeps them coherent with the other nodes: it listens
 * on the Redis invalidation channel and evicts what other nodes invalidated, and when that
 * channel was lost it drops every metadata cache's memory tier (bytes caches hold immutable
 * values and keep theirs); until it is back, metadata stays in memory only the short
 * {@code local-ttl}. Invalidations this node could not send are sent again every
 * {@code granary.redis.retry-interval} until Redis takes them. Without Redis, caches live in
 * memory only with {@code local-ttl}; with {@code granary.cache.enabled=false}, nothing is cached.
 */
@Component
public class Caches implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Caches.class);
    static final String CHANNEL = "granary:cache:invalidate";

    private final GranaryProperties.Cache settings;
    private final SharedRedis redis;
    private final MeterRegistry meters;
    private final JsonMapper json;
    private final Map<String, TwoTierCache<?>> caches = new ConcurrentHashMap<>();
    /** Whether other nodes' invalidations reach this node now. */
    private final BooleanSupplier listening;
    private final Disposable redelivery;
    private final AtomicBoolean redelivering = new AtomicBoolean();

    Caches(GranaryProperties properties, ObjectProvider<SharedRedis> redis, MeterRegistry meters, JsonMapper json) {
        this.settings = properties.cache();
        this.redis = redis.getIfAvailable();
        this.meters = meters;
        this.json = json;
        if (this.redis != null && settings.enabled()) {
            this.listening = this.redis.subscribe(CHANNEL, this::received, this::lostMessages);
            long every = properties.redis().retryInterval().toMillis();
            this.redelivery = Schedulers.parallel().schedulePeriodically(this::redeliver, every, every, TimeUnit.MILLISECONDS);
        } else {
            this.listening = () -> false;
            this.redelivery = Disposables.disposed();
        }
    }

    /** A metadata cache of JSON-mapped records (loading straight from the source when caching is disabled). */
    public <V> TwoTierCache<V> metadata(String name, Class<V> type) {
        return create(new CacheSpec(name, settings.ttl(), settings.localTtl(), settings.sharedTtl(),
                settings.negativeTtl(), settings.metadataMemory().toBytes(), false), CacheCodec.json(json, type));
    }

    /** A cache of immutable byte arrays (objects' bytes by blob version). */
    public TwoTierCache<byte[]> bytes(String name) {
        return create(new CacheSpec(name, settings.sharedTtl(), settings.sharedTtl(), settings.sharedTtl(),
                settings.negativeTtl(), settings.objectMemory().toBytes(), true), CacheCodec.bytes());
    }

    /** Whether other nodes' invalidations reach this node now. */
    boolean listening() {
        return listening.getAsBoolean();
    }

    /** Objects up to this many bytes have their bytes cached. */
    public long objectMaxSize() {
        return settings.objectMaxSize().toBytes();
    }

    private <V> TwoTierCache<V> create(CacheSpec spec, CacheCodec<V> codec) {
        TwoTierCache<V> cache = new TwoTierCache<>(spec, settings.enabled(), codec, redis, CHANNEL, listening, meters);
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
        log.info("Cache invalidation channel down or (re)subscribed: dropping this node's cached metadata");
        caches.values().stream().filter(cache -> !cache.spec().immutable()).forEach(TwoTierCache::clearLocal);
    }

    /** Sends again what could not be sent (one round at a time; a round that fails waits for the next). */
    private void redeliver() {
        if (redelivering.compareAndSet(false, true)) {
            Flux.fromIterable(caches.values())
                    .concatMap(TwoTierCache::redeliverInvalidations)
                    .doFinally(signal -> redelivering.set(false))
                    .subscribe(null, error -> log.debug("Redelivering cache invalidations failed: {}", error.toString()));
        }
    }

    @Override
    public void close() {
        redelivery.dispose();
    }
}
