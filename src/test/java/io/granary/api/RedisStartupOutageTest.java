package io.granary.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.granary.api.GranaryNode.IssuedKey;
import io.granary.testsupport.TestRedis;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A node configured with a Redis that is down when it starts: it starts all the same, limits
 * with its own buckets, and moves to Redis once Redis appears, without a restart.
 */
class RedisStartupOutageTest {

    private static TestRedis redis;
    private static GranaryNode node;

    @BeforeAll
    static void startWithRedisDown() {
        redis = TestRedis.start();
        redis.stop();
        node = GranaryNode.start(List.of(
                "--granary.redis.url=" + redis.url(),
                "--granary.redis.retry-interval=1s",
                "--granary.rate-limit.key-requests-per-second=0.5",
                "--granary.rate-limit.burst-seconds=10"));
    }

    @AfterAll
    static void stop() {
        if (node != null) {
            node.close();
        }
        if (redis != null) {
            redis.close();
        }
    }

    @Test
    void limitsInProcessUntilRedisAppearsThenThroughRedis() throws InterruptedException {
        IssuedKey key = node.createKey(node.createTenant(ApiTestSupport.unique("late")), null);
        SharedRateLimitTest.Tally alone = SharedRateLimitTest.Tally.run(8, i -> node.listBuckets(key));
        assertThat(alone.passed).isBetween(5, 5 + alone.refill(0.5));
        assertThat(alone.refused).isPositive();
        assertThat(alone.slowestMillis).isLessThan(2000);

        redis.restart();
        // The next call past the retry interval connects; from then on the buckets are in Redis.
        long deadline = System.nanoTime() + 30_000_000_000L;
        boolean inRedis = false;
        while (!inRedis && System.nanoTime() < deadline) {
            IssuedKey fresh = node.createKey(node.createTenant(ApiTestSupport.unique("later")), null);
            assertThat(node.listBuckets(fresh).getStatus().value()).isEqualTo(200);
            inRedis = exists("granary:rl:k:key:" + fresh.id());
            if (!inRedis) {
                Thread.sleep(300);
            }
        }
        assertThat(inRedis).as("a key's bucket stored in Redis after it came up").isTrue();
    }

    private static boolean exists(String key) {
        RedisClient client = RedisClient.create(redis.url());
        try (StatefulRedisConnection<String, String> connection = client.connect()) {
            return connection.sync().exists(key) == 1L;
        } finally {
            client.shutdown();
        }
    }
}
