package io.granary.ratelimit;

import io.granary.config.GranaryProperties;
import io.granary.redis.SharedRedis;
import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.ScriptOutputType;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import reactor.core.publisher.Mono;

/**
 * Token buckets in Redis, shared by every node: one Lua script ({@code token-buckets.lua})
 * checks and updates the caller's and the tenant's bucket in one atomic step on Redis's clock.
 * Keys are {@code granary:rl:k:<keyId>} and {@code granary:rl:t:<tenantId>}; each expires once
 * it would have refilled anyway.
 */
final class RedisBuckets {

    static final String CALLER_PREFIX = "granary:rl:k:";
    static final String TENANT_PREFIX = "granary:rl:t:";

    private static final String SCRIPT = load("token-buckets.lua");

    private final SharedRedis redis;
    private final GranaryProperties.RateLimit limits;
    private final String tenantRate;
    private final String tenantCapacity;
    /** SHA-1 of the script, for EVALSHA; computed locally, so it needs no round trip. */
    private final String digest;

    RedisBuckets(SharedRedis redis, GranaryProperties.RateLimit limits) {
        this.redis = redis;
        this.limits = limits;
        this.tenantRate = Double.toString(limits.tenantRequestsPerSecond());
        this.tenantCapacity = Double.toString(limits.tenantRequestsPerSecond() * limits.burstSeconds());
        this.digest = sha1Hex(SCRIPT);
    }

    /** The verdict, or a {@code RedisUnavailableException} when Redis cannot give one. */
    Mono<Verdict> take(String tenantId, String callerId, double callerRate) {
        String[] keys = callerId == null
                ? new String[] {TENANT_PREFIX + tenantId}
                : new String[] {TENANT_PREFIX + tenantId, CALLER_PREFIX + callerId};
        String[] args = callerId == null
                ? new String[] {tenantRate, tenantCapacity}
                : new String[] {tenantRate, tenantCapacity, Double.toString(callerRate),
                        Double.toString(callerRate * limits.burstSeconds())};
        return redis.run(commands -> commands.<Long>evalsha(digest, ScriptOutputType.INTEGER, keys, args)
                        // A Redis that restarted or flushed its script cache: EVAL sends the
                        // script and caches it again, so the next EVALSHA succeeds.
                        .onErrorResume(RedisNoScriptException.class,
                                missing -> commands.<Long>eval(SCRIPT, ScriptOutputType.INTEGER, keys, args))
                        .single())
                .map(RedisBuckets::verdict);
    }

    private static Verdict verdict(long answer) {
        if (answer == 0) {
            return Verdict.ADMITTED;
        }
        return answer > 0
                ? new Verdict(answer * 1_000L, Verdict.CALLER)
                : new Verdict(-answer * 1_000L, Verdict.TENANT);
    }

    /** What Redis names a script by (SCRIPT LOAD's answer). */
    private static String sha1Hex(String script) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(script.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-1 is required of every JVM", e);
        }
    }

    private static String load(String name) {
        try (InputStream in = RedisBuckets.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
