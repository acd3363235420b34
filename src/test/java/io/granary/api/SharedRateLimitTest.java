package io.granary.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.granary.api.GranaryNode.IssuedKey;
import io.granary.testsupport.TestRedis;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.test.web.reactive.server.EntityExchangeResult;

/**
 * Two Granary nodes sharing one MongoDB and one real Redis: rate limits are one budget for the
 * whole installation, per-key overrides hold there too, and losing Redis falls back to each
 * node's own buckets, without errors, until Redis is back.
 *
 * <p>Limits are small so that the numbers tell shared from per-node buckets apart: a key gets
 * 0.5 requests per second with a burst of 5, a tenant 3 per second with a burst of 30. Per-node
 * buckets would admit a burst on each node, twice what one shared bucket admits.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SharedRateLimitTest {

    private static final Logger log = LoggerFactory.getLogger(SharedRateLimitTest.class);

    private static final double KEY_RATE = 0.5;
    private static final double TENANT_RATE = 3;
    private static final double BURST_SECONDS = 10;
    private static final int KEY_BURST = 5;
    private static final int TENANT_BURST = 30;

    private static TestRedis redis;
    private static GranaryNode a;
    private static GranaryNode b;

    @BeforeAll
    static void startRedisAndTwoNodes() {
        redis = TestRedis.start();
        log.info("Redis for the test: {} on port {}", redis.source(), redis.port());
        List<String> limits = List.of(
                "--granary.redis.url=" + redis.url(),
                "--granary.redis.retry-interval=1s",
                "--granary.rate-limit.key-requests-per-second=" + KEY_RATE,
                "--granary.rate-limit.tenant-requests-per-second=" + TENANT_RATE,
                "--granary.rate-limit.burst-seconds=" + BURST_SECONDS);
        a = GranaryNode.start(limits);
        List<String> second = new ArrayList<>(limits);
        second.add(a.sharedMetadataArgument());
        b = GranaryNode.start(second);
    }

    @AfterAll
    static void stopAll() {
        for (AutoCloseable closeable : new AutoCloseable[] {b, a, redis}) {
            try {
                if (closeable != null) {
                    closeable.close();
                }
            } catch (Exception e) {
                log.warn("Could not close {}: {}", closeable, e.toString());
            }
        }
    }

    @Test
    void aKeyHasOneBudgetOnAllNodes() {
        IssuedKey key = a.createKey(a.createTenant(ApiTestSupport.unique("shared")), null);

        Tally tally = Tally.run(12, i -> (i % 2 == 0 ? a : b).listBuckets(key));

        // One bucket of 5 (plus what refills meanwhile); per-node buckets would have admitted 10.
        assertThat(tally.passed).isBetween(KEY_BURST, KEY_BURST + tally.refill(KEY_RATE)).isLessThan(2 * KEY_BURST);
        assertThat(tally.passedOnEven).as("admitted by node a").isPositive();
        assertThat(tally.passedOnOdd).as("admitted by node b").isPositive();
        assertThat(tally.refusalDetails).allMatch(detail -> detail.contains("API key"));
        // The state is in Redis, and goes away by itself: a key's bucket is full again after
        // burst-seconds, so its entry expires then (plus a second).
        assertThat(pttl("granary:rl:k:key:" + key.id())).isBetween(1L, (long) (BURST_SECONDS * 1000) + 1000);
        assertThat(exists("granary:rl:k:key:" + key.id())).isEqualTo(1L);
    }

    @Test
    void aTenantHasOneBudgetOnAllNodes() {
        String tenantId = a.createTenant(ApiTestSupport.unique("tenant"));
        List<IssuedKey> keys = List.of(a.createKey(tenantId, 100.0), a.createKey(tenantId, 100.0), a.createKey(tenantId, 100.0));

        Tally tally = Tally.run(70, i -> (i % 2 == 0 ? a : b).listBuckets(keys.get(i % 3)));

        // 30 for the tenant, whichever key and node; per-node buckets would have admitted 60.
        assertThat(tally.passed).isBetween(TENANT_BURST, TENANT_BURST + tally.refill(TENANT_RATE)).isLessThan(2 * TENANT_BURST);
        assertThat(tally.refusalDetails).isNotEmpty().allMatch(detail -> detail.contains("tenant"));
        assertThat(pttl("granary:rl:t:" + tenantId)).isBetween(1L, (long) (BURST_SECONDS * 1000) + 1000);
    }

    @Test
    void aRequestRefusedByTheTenantLeavesTheKeysTokenInRedis() throws InterruptedException {
        String tenantId = a.createTenant(ApiTestSupport.unique("giveback"));
        IssuedKey fast = a.createKey(tenantId, 100.0);
        IssuedKey slow = a.createKey(tenantId, null);
        int refusals = 0;
        int slowPassed = 0; // on a loaded machine the tenant may refill between the two steps
        for (int attempt = 0; refusals < 5 && attempt < 30; attempt++) {
            // The fast key takes the tenant's tokens until the tenant has just run dry...
            boolean took = false;
            for (int i = 0; i < 500; i++) {
                int status = (i % 2 == 0 ? a : b).listBuckets(fast).getStatus().value();
                if (status == 200) {
                    took = true;
                } else if (took) {
                    break;
                }
            }
            // ...and the slow key is refused by the tenant's limit, not its own.
            EntityExchangeResult<String> refused = (attempt % 2 == 0 ? b : a).listBuckets(slow);
            if (refused.getStatus().value() == 200) {
                slowPassed++;
                continue;
            }
            assertThat(refused.getStatus().value()).isEqualTo(429);
            assertThat(refused.getResponseBody()).contains("tenant");
            refusals++;
        }
        assertThat(refusals).isEqualTo(5);
        // Once the tenant has refilled (3/s), the slow key still has its whole burst of 5, less
        // what it really spent: the five refusals cost it nothing. (Had each taken its token,
        // about one would be left.)
        Thread.sleep(2000);
        Tally after = Tally.run(KEY_BURST, i -> (i % 2 == 0 ? a : b).listBuckets(slow));
        assertThat(after.passed).isGreaterThanOrEqualTo(KEY_BURST - slowPassed);
    }

    @Test
    void aKeysOwnRateHoldsAcrossNodes() {
        IssuedKey key = a.createKey(a.createTenant(ApiTestSupport.unique("override")), 2.0);

        Tally tally = Tally.run(50, i -> (i % 2 == 0 ? a : b).listBuckets(key));

        // 2/s with a burst of 20 for this key, against 5 for a default key and 40 for per-node buckets.
        assertThat(tally.passed).isBetween(20, 20 + tally.refill(2.0)).isLessThan(40);
        assertThat(tally.refusalDetails).allMatch(detail -> detail.contains("API key"));
    }

    @Test
    void retryAfterSaysWhenTheSharedBucketHasATokenAgain() throws InterruptedException {
        IssuedKey key = a.createKey(a.createTenant(ApiTestSupport.unique("retry")), null);
        Tally burst = Tally.run(KEY_BURST, i -> (i % 2 == 0 ? a : b).listBuckets(key));
        assertThat(burst.passed).isEqualTo(KEY_BURST);

        EntityExchangeResult<String> refused = b.listBuckets(key);
        assertThat(refused.getStatus().value()).isEqualTo(429);
        assertThat(refused.getResponseHeaders().getContentType().toString()).startsWith("application/problem+json");
        String retryAfter = refused.getResponseHeaders().getFirst("Retry-After");
        // One token every 2 s: the wait is at most 2 s, in whole seconds.
        assertThat(retryAfter).isIn("1", "2");

        Thread.sleep(Long.parseLong(retryAfter) * 1000 + 100);
        assertThat(a.listBuckets(key).getStatus().value()).as("after Retry-After, on the other node").isEqualTo(200);
        assertThat(b.listBuckets(key).getStatus().value()).isEqualTo(429);
    }

    @Test
    @Order(Integer.MAX_VALUE - 1) // leaves the breakers open for a moment
    void aRedisThatHangsCostsOneTimeoutNotOnePerRequest() {
        IssuedKey key = a.createKey(a.createTenant(ApiTestSupport.unique("hang")), null);
        redis.freeze();
        Tally onA;
        try {
            onA = Tally.run(10, i -> a.listBuckets(key));
        } finally {
            redis.thaw();
        }
        // Node a's own bucket decided; the first request waited for the 300 ms timeout, and the
        // rest did not wait for Redis at all (10 timeouts would take over 3 s).
        assertThat(onA.passed).isBetween(KEY_BURST, KEY_BURST + onA.refill(KEY_RATE));
        assertThat(onA.slowestMillis).isLessThan(1500);
        assertThat(onA.totalMillis).isLessThan(2500);
    }

    @Test
    @Order(Integer.MAX_VALUE) // stops Redis; the others run against a healthy one
    void withoutRedisEachNodeLimitsAloneAndSharingResumesWhenRedisIsBack() throws InterruptedException {
        IssuedKey key = a.createKey(a.createTenant(ApiTestSupport.unique("outage")), null);
        redis.stop();
        try {
            Tally onA = Tally.run(10, i -> a.listBuckets(key));
            Tally onB = Tally.run(10, i -> b.listBuckets(key));
            // Each node's own bucket: a burst of 5 on each (Tally also checks that nothing but 200
            // and 429 was answered), and no request waits long for the missing Redis.
            assertThat(onA.passed).isBetween(KEY_BURST, KEY_BURST + onA.refill(KEY_RATE));
            assertThat(onB.passed).isBetween(KEY_BURST, KEY_BURST + onB.refill(KEY_RATE));
            assertThat(onA.refused).isPositive();
            assertThat(onB.refused).isPositive();
            assertThat(Math.max(onA.slowestMillis, onB.slowestMillis)).isLessThan(2000);
        } finally {
            redis.restart();
        }

        // Back to one budget: within a few retry intervals each node uses Redis again (seen by
        // a probe key's bucket appearing there); then one budget holds across both.
        String tenantId = a.createTenant(ApiTestSupport.unique("back"));
        boolean aBack = false;
        boolean bBack = false;
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (!(aBack && bBack) && System.nanoTime() < deadline) {
            if (!aBack) {
                IssuedKey probe = a.createKey(tenantId, null);
                a.listBuckets(probe);
                aBack = exists("granary:rl:k:key:" + probe.id()) == 1L;
            }
            if (!bBack) {
                IssuedKey probe = a.createKey(tenantId, null);
                b.listBuckets(probe);
                bBack = exists("granary:rl:k:key:" + probe.id()) == 1L;
            }
            Thread.sleep(200);
        }
        assertThat(aBack && bBack).as("both nodes use Redis again").isTrue();
        IssuedKey fresh = a.createKey(a.createTenant(ApiTestSupport.unique("shared")), null);
        Tally shared = Tally.run(12, i -> (i % 2 == 0 ? a : b).listBuckets(fresh));
        assertThat(shared.passed).isBetween(KEY_BURST, KEY_BURST + shared.refill(KEY_RATE));
        String bucket = "granary:rl:k:key:" + fresh.id();
        assertThat(pttl(bucket)).isPositive();
    }

    /** Milliseconds until the Redis key expires (negative when it has no TTL or does not exist). */
    private static long pttl(String key) {
        return redis(c -> c.pttl(key));
    }

    private static long exists(String key) {
        return redis(c -> c.exists(key));
    }

    /** Runs one command on a short-lived connection of its own (it must survive Redis restarts). */
    private static <T> T redis(Function<RedisCommands<String, String>, T> command) {
        RedisClient client = RedisClient.create(redis.url());
        try (StatefulRedisConnection<String, String> connection = client.connect()) {
            return command.apply(connection.sync());
        } finally {
            client.shutdown();
        }
    }

    /** Counts the answers of a run of requests; anything but 200 and 429 fails the test. */
    static final class Tally {
        int passed;
        int refused;
        int passedOnEven;
        int passedOnOdd;
        long slowestMillis;
        long totalMillis;
        final List<String> refusalDetails = new ArrayList<>();
        private long elapsedNanos;

        static Tally run(int requests, java.util.function.IntFunction<EntityExchangeResult<String>> request) {
            Tally tally = new Tally();
            long start = System.nanoTime();
            for (int i = 0; i < requests; i++) {
                long sent = System.nanoTime();
                EntityExchangeResult<String> result = request.apply(i);
                tally.slowestMillis = Math.max(tally.slowestMillis, (System.nanoTime() - sent) / 1_000_000);
                int status = result.getStatus().value();
                assertThat(status).as("status of request %d: %s", i, result.getResponseBody()).isIn(200, 429);
                if (status == 200) {
                    tally.passed++;
                    if (i % 2 == 0) {
                        tally.passedOnEven++;
                    } else {
                        tally.passedOnOdd++;
                    }
                } else {
                    tally.refused++;
                    assertThat(result.getResponseHeaders().getFirst("Retry-After")).as("Retry-After").matches("[1-9][0-9]*");
                    tally.refusalDetails.add(result.getResponseBody());
                }
            }
            tally.elapsedNanos = System.nanoTime() - start;
            tally.totalMillis = tally.elapsedNanos / 1_000_000;
            return tally;
        }

        /** The most tokens a bucket of this rate can have gained while the requests ran. */
        int refill(double perSecond) {
            return (int) Math.ceil(elapsedNanos / 1e9 * perSecond);
        }
    }
}
