package io.granary.cache;

import com.github.benmanes.caffeine.cache.AsyncCache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import io.granary.redis.SharedRedis;
import io.lettuce.core.ScriptOutputType;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.cache.CaffeineCacheMetrics;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * A read-through cache in two tiers: the node's memory (Caffeine, bounded by weight) and Redis
 * (shared by all nodes, optional). A miss in both loads once per key and node however many
 * requests wait for it (single flight), and fills both tiers; "not found" is remembered briefly
 * in memory. {@link #invalidate} removes a key everywhere: here at once, in Redis, and in every
 * other node's memory through the invalidation channel.
 *
 * <p>Redis only ever speeds things up: an error or a slow answer (past {@code granary.redis.timeout})
 * is taken for a miss (and counted as an error) and the value is loaded from the source. A value loaded by one node while
 * another invalidated the key is not written to Redis: invalidation leaves a short-lived
 * tombstone there that fills check for. An invalidation that cannot reach Redis is kept and
 * sent again ({@link #redeliverInvalidations}) until it does; meanwhile, and while this node
 * cannot hear the others', values stay in its memory only {@link CacheSpec#localTtl()}.
 */
public final class TwoTierCache<V> {

    private static final Logger log = LoggerFactory.getLogger(TwoTierCache.class);
    /** Longer than any load takes: a fill that started before an invalidation finds it. */
    private static final Duration TOMBSTONE = Duration.ofSeconds(5);
    private static final String INVALIDATE = "redis.call('DEL', KEYS[1]) "
            + "redis.call('SET', KEYS[2], '1', 'PX', ARGV[1]) "
            + "redis.call('PUBLISH', ARGV[2], ARGV[3]) return 1";
    private static final String FILL = "if redis.call('EXISTS', KEYS[2]) == 1 then return 0 end "
            + "redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2]) return 1";

    /** The most invalidations kept for sending again; past it, other nodes' TTLs bound what they miss. */
    private static final int MAX_UNDELIVERED = 100_000;

    /** A cached answer: a value, or {@code null} for "not found". */
    private record Entry<V>(V value, long ttlNanos) {
    }

    private final CacheSpec spec;
    private final boolean enabled;
    private final CacheCodec<V> codec;
    private final SharedRedis redis;
    private final String channel;
    private final BooleanSupplier listening;
    private final AsyncCache<String, Entry<V>> local;
    /**
     * Keys whose invalidation did not reach Redis, each with the number of its latest failure (so
     * that a redelivery running meanwhile does not drop a newer one). Until they are delivered,
     * other nodes (which did not lose the channel) may still serve the old value, and Redis may
     * hold it.
     */
    private final Map<String, Long> undelivered = new ConcurrentHashMap<>();
    private final AtomicLong failures = new AtomicLong();
    private final AtomicBoolean overflowed = new AtomicBoolean();
    private final Counter sharedHits;
    private final Counter sharedMisses;
    private final Counter sharedErrors;
    private final Timer loads;

    TwoTierCache(CacheSpec spec, boolean enabled, CacheCodec<V> codec, SharedRedis redis, String channel,
                 BooleanSupplier listening, MeterRegistry meters) {
        this.spec = spec;
        this.enabled = enabled;
        this.codec = codec;
        this.redis = redis;
        this.channel = channel;
        this.listening = listening;
        this.local = Caffeine.newBuilder()
                .maximumWeight(spec.maxWeight())
                .<String, Entry<V>>weigher((key, entry) -> key.length() * 2 + (entry.value() == null ? 16 : codec.weigh(entry.value())))
                .expireAfter(new Expiry<String, Entry<V>>() {
                    @Override
                    public long expireAfterCreate(String key, Entry<V> entry, long now) {
                        return entry.ttlNanos();
                    }

                    @Override
                    public long expireAfterUpdate(String key, Entry<V> entry, long now, long current) {
                        return entry.ttlNanos();
                    }

                    @Override
                    public long expireAfterRead(String key, Entry<V> entry, long now, long current) {
                        return current;
                    }
                })
                .recordStats()
                // Upkeep (replaying reads into the eviction policy, evicting) runs on the caller's
                // thread, a few entries at a time. Handed to the common pool, every few reads
                // woke a pool thread: on a hot read path that wake-up cost more than the upkeep.
                .executor(Runnable::run)
                .buildAsync();
        CaffeineCacheMetrics.monitor(meters, local, "granary." + spec.name());
        this.sharedHits = Counter.builder("granary.cache.redis").tag("cache", spec.name()).tag("result", "hit").register(meters);
        this.sharedMisses = Counter.builder("granary.cache.redis").tag("cache", spec.name()).tag("result", "miss").register(meters);
        this.sharedErrors = Counter.builder("granary.cache.redis").tag("cache", spec.name()).tag("result", "error").register(meters);
        this.loads = Timer.builder("granary.cache.load").tag("cache", spec.name()).register(meters);
    }

    /**
     * The value for {@code key}: from memory, else Redis, else {@code loader} (run once for all
     * concurrent callers of this node). Empty when the loader found nothing.
     */
    public Mono<V> get(String key, Supplier<Mono<V>> loader) {
        if (!enabled) {
            return Mono.defer(loader);
        }
        CompletableFuture<Entry<V>> entry = local.get(key, (k, executor) -> load(k, loader).toFuture());
        if (entry.isDone() && !entry.isCompletedExceptionally()) {
            // A hit on the hot path: the value is there, no subscription to the future needed.
            return Mono.justOrEmpty(entry.join().value());
        }
        // Cancelling one caller must not cancel the load the others wait for.
        return Mono.fromFuture(entry, true).mapNotNull(Entry::value);
    }

    /**
     * Forgets {@code key} in this node's memory at once, and in Redis and on every other node.
     * Completes once Redis has been told, or could not be, which is not an error: the
     * invalidation is then sent again until Redis takes it (the other nodes may serve the old
     * value until then, or for their local TTL if they lost the channel too).
     */
    public Mono<Void> invalidate(String key) {
        local.synchronous().invalidate(key);
        if (redis == null || !enabled) {
            return Mono.empty();
        }
        return publish(key).onErrorResume(e -> {
            sharedErrors.increment();
            if (undelivered.size() < MAX_UNDELIVERED || undelivered.containsKey(key)) {
                undelivered.put(key, failures.incrementAndGet());
            } else if (overflowed.compareAndSet(false, true)) {
                log.warn("cache {}: over {} invalidations wait for Redis; further ones are dropped, and other nodes "
                        + "may serve those keys' old values until they expire", spec.name(), MAX_UNDELIVERED);
            }
            return Mono.empty();
        });
    }

    /**
     * Sends the invalidations that could not be sent before, in order; stops at the first failure
     * (Redis is still away) and leaves the rest for the next call.
     */
    Mono<Void> redeliverInvalidations() {
        if (undelivered.isEmpty()) {
            return Mono.empty();
        }
        return Flux.fromIterable(List.copyOf(undelivered.entrySet()))
                .concatMap(failed -> publish(failed.getKey())
                        .doOnSuccess(done -> undelivered.remove(failed.getKey(), failed.getValue())))
                .then(Mono.fromRunnable(() -> overflowed.set(false)));
    }

    /** Deletes the key in Redis, leaves the tombstone and tells the other nodes, in one script. */
    private Mono<Void> publish(String key) {
        return redis.run(c -> c.<Long>eval(INVALIDATE, ScriptOutputType.INTEGER,
                        new String[] {sharedKey(key), tombstoneKey(key)},
                        Long.toString(TOMBSTONE.toMillis()), channel, spec.name() + "|" + key).next())
                .then();
    }

    /** Drops {@code key} from this node's memory only (another node invalidated it). */
    void evictLocal(String key) {
        local.synchronous().invalidate(key);
    }

    /** Drops this node's whole memory tier (invalidations may have been missed). */
    void clearLocal() {
        local.synchronous().invalidateAll();
    }

    CacheSpec spec() {
        return spec;
    }

    private Mono<Entry<V>> load(String key, Supplier<Mono<V>> loader) {
        Mono<Entry<V>> fromSource = Mono.defer(() -> {
            Timer.Sample sample = Timer.start();
            return loader.get()
                    .map(value -> new Entry<>(value, memoryTtl()))
                    .doOnNext(found -> fill(key, found.value()))
                    .defaultIfEmpty(new Entry<>(null, jittered(spec.negativeTtl())))
                    .doFinally(signal -> sample.stop(loads));
        });
        if (redis == null || undelivered.containsKey(key)) {
            // An invalidation Redis has not taken yet: the old value may still sit there.
            return fromSource;
        }
        return redis.run(c -> c.get(sharedKey(key)))
                .map(encoded -> new Entry<>(codec.decode(encoded), memoryTtl()))
                .doOnNext(hit -> sharedHits.increment())
                // A miss is Redis answering "no such key"; a failure counts as an error only.
                .switchIfEmpty(Mono.fromRunnable(sharedMisses::increment))
                .onErrorResume(error -> {
                    sharedErrors.increment();
                    return Mono.empty();
                })
                .switchIfEmpty(fromSource);
    }

    /** Writes a loaded value to Redis on the side: the caller does not wait for it. */
    private void fill(String key, V value) {
        if (redis == null || undelivered.containsKey(key)) {
            return;
        }
        String encoded = codec.encode(value);
        redis.run(c -> c.<Long>eval(FILL, ScriptOutputType.INTEGER, new String[] {sharedKey(key), tombstoneKey(key)},
                        encoded, Long.toString(spec.sharedTtl().toMillis())).next())
                .subscribe(null, error -> {
                    sharedErrors.increment();
                    log.debug("cache {}: filling Redis failed: {}", spec.name(), error.toString());
                });
    }

    private String sharedKey(String key) {
        return "granary:c:" + spec.name() + ":" + key;
    }

    private String tombstoneKey(String key) {
        return "granary:c:" + spec.name() + ":" + key + ":x";
    }

    /**
     * How long a value just loaded may stay in memory: long only while other nodes'
     * invalidations reach this node. Decided when the load completes; an entry stored just
     * before the channel drops is removed by the clear that follows the drop.
     */
    private long memoryTtl() {
        return jittered(redis != null && listening.getAsBoolean() ? spec.ttl() : spec.localTtl());
    }

    /** ±10 %, so entries filled together do not all expire together. */
    private static long jittered(Duration ttl) {
        long nanos = ttl.toNanos();
        return nanos + (long) (nanos * 0.1 * (ThreadLocalRandom.current().nextDouble() * 2 - 1));
    }
}
