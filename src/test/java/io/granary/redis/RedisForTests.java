package io.granary.redis;

import io.lettuce.core.api.reactive.RedisReactiveCommands;
import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.Function;
import reactor.core.publisher.Mono;

/**
 * The production {@link SharedRedis} adapter for tests outside this package, which cannot reach
 * its package-private class: the same Lettuce connection, breaker and subscription code, only
 * closable by the test.
 */
public final class RedisForTests {

    private RedisForTests() {
    }

    /** A {@link SharedRedis} the test closes. */
    public interface Connection extends SharedRedis, AutoCloseable {
        @Override
        void close();
    }

    /** Connects in the background, exactly as a node does at start-up. */
    public static Connection connect(String url, Duration timeout, Duration retryInterval) {
        LettuceSharedRedis redis = new LettuceSharedRedis(url, timeout, retryInterval);
        return new Connection() {
            @Override
            public <T> Mono<T> run(Function<RedisReactiveCommands<String, String>, Mono<T>> commands) {
                return redis.run(commands);
            }

            @Override
            public BooleanSupplier subscribe(String channel, Consumer<String> listener, Runnable onGap) {
                return redis.subscribe(channel, listener, onGap);
            }

            @Override
            public void close() {
                redis.close();
            }
        };
    }
}
