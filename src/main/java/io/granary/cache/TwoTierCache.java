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
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
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
 * counts as a miss and the value is loaded from the source. A value loaded by one node while
 * another invalidated the key is not written to Redis: invalidation leaves a short-lived
 * tombstone there that fills check for. An invalidation Redis did not take (down, slow) is kept
 * and replayed until it does; until then this node reads that key from the source, never from
 * Redis, where the old value may still sit.
 */
public final class TwoTierCache<V> {

    private static final Logger log = LoggerFactory.getLogger(TwoTierCache.class);
    /** Longer than any load takes: a fill that started before an invalidation finds it. */
    private static final Duration TOMBSTONE = Duration.ofSeconds(5);
    private static final int MAX_PENDING = 100_000;
    private static final String INVALIDATE = "redis.call('DEL', KEYS[1]) "
            + "redis.call('SET', KEYS[2], '1', 'PX', ARGV[1]) "
            + "redis.call('PUBLISH', ARGV[2], ARGV[3]) return 1";
    private static final String FILL = "if redis.call('EXISTS', KEYS[2]) == 1 then return 0 end "
            + "redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2]) return 1";

    /** A cached answer: a value, or {@code null} for "not found". */
    private record Entry<V>(V value, long ttlNanos) {
    }

    private final CacheSpec spec;
    private final boolean enabled;
    private final CacheCodec<V> codec;
    private final SharedRedis redis;
    private final String channel;
    private final AsyncCache<String, Entry<V>> local;
    private final Counter sharedHits;
    private final Counter sharedMisses;
    private final Counter sharedErrors;
    private final Timer loads;
    /** Invalidations Redis has not taken yet (see the class comment). */
    private final Set<String> pending = ConcurrentHashMap.newKeySet();
    private final AtomicBoolean overflowWarned = new AtomicBoolean();

    TwoTierCache(CacheSpec spec, boolean enabled, CacheCodec<V> codec, SharedRedis redis, String channel,
                 MeterRegistry meters) {
        this.spec = spec;
        this.enabled = enabled;
        this.codec = codec;
        this.redis = redis;
        this.channel = channel;
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
        // Cancelling one caller must not cancel the load the others wait for.
        return Mono.fromFuture(entry, true).mapNotNull(Entry::value);
    }

    /**
     * Forgets {@code key} in this node's memory at once, and in Redis and on every other node.
     * Completes once Redis has been told (or could not be, which is not an error: nodes that
     * lost the channel drop their memory tier by themselves).
     */
    public Mono<Void> invalidate(String key) {
        local.synchronous().invalidate(key);
        if (redis == null || !enabled) {
            return Mono.empty();
        }
        return invalidateShared(key)
                .onErrorResume(e -> {
                    sharedErrors.increment();
                    remember(key);
                    return Mono.empty();
                });
    }

    /** Replays the invalidations Redis did not take; called periodically. */
    Mono<Void> replayPending() {
        if (pending.isEmpty()) {
            return Mono.empty();
        }
        return Flux.fromIterable(List.copyOf(pending))
                .concatMap(key -> invalidateShared(key).doOnSuccess(done -> pending.remove(key)))
                .onErrorResume(e -> Mono.empty()) // still unavailable: the rest waits for the next round
                .then();
    }

    private Mono<Void> invalidateShared(String key) {
        return redis.run(c -> c.<Long>eval(INVALIDATE, ScriptOutputType.INTEGER,
                        new String[] {sharedKey(key), tombstoneKey(key)},
                        Long.toString(TOMBSTONE.toMillis()), channel, spec.name() + "|" + key).next())
                .then();
    }

    private void remember(String key) {
        if (pending.size() < MAX_PENDING) {
            pending.add(key);
        } else if (overflowWarned.compareAndSet(false, true)) {
            log.warn("cache {}: more than {} invalidations are waiting for Redis; further ones are dropped, so values "
                    + "in Redis may stay stale up to granary.cache.shared-ttl", spec.name(), MAX_PENDING);
        }
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
                    .map(value -> new Entry<>(value, jittered(spec.ttl())))
                    .doOnNext(found -> fill(key, found.value()))
                    .defaultIfEmpty(new Entry<>(null, jittered(spec.negativeTtl())))
                    .doFinally(signal -> sample.stop(loads));
        });
        if (redis == null || pending.contains(key)) {
            return fromSource;
        }
        return redis.run(c -> c.get(sharedKey(key)))
                .map(encoded -> new Entry<>(codec.decode(encoded), jittered(spec.ttl())))
                .doOnNext(hit -> sharedHits.increment())
                .onErrorResume(error -> {
                    sharedErrors.increment();
                    return Mono.empty();
                })
                .switchIfEmpty(Mono.defer(() -> {
                    sharedMisses.increment();
                    return fromSource;
                }));
    }

    /** Writes a loaded value to Redis on the side: the caller does not wait for it. */
    private void fill(String key, V value) {
        if (redis == null || pending.contains(key)) {
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

    /** ±10 %, so entries filled together do not all expire together. */
    private static long jittered(Duration ttl) {
        long nanos = ttl.toNanos();
        return nanos + (long) (nanos * 0.1 * (ThreadLocalRandom.current().nextDouble() * 2 - 1));
    }
}
