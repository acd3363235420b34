package io.granary.redis;

import io.lettuce.core.api.reactive.RedisReactiveCommands;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.Function;
import reactor.core.publisher.Mono;

/**
 * The one connection to the Redis that all nodes share, for any feature that keeps state
 * there (rate limits today, the shared cache later). The bean exists only when
 * {@code granary.redis.url} is set.
 *
 * <p>Redis is an accelerator, never a dependency: a caller must be able to do without it, and
 * every call says quickly when it has to. {@link #run} never blocks and answers within
 * {@code granary.redis.timeout}; it never waits for a connection to be made (while there is none,
 * it fails at once). After any failure, calls fail at once with {@link RedisUnavailableException},
 * without touching the network, until {@code granary.redis.retry-interval} has passed; then one
 * call tries Redis again, and its success opens the way for all. Outages are logged once each,
 * not once per call.
 */
public interface SharedRedis {

    /**
     * Runs commands on the shared connection.
     *
     * @param commands builds the call from the connection's reactive commands; it runs once per
     *     subscription and must not block
     * @return the call's result; any failure, timeout included, is a {@link RedisUnavailableException}
     *     whose cause is the original error
     */
    <T> Mono<T> run(Function<RedisReactiveCommands<String, String>, Mono<T>> commands);

    /**
     * Delivers every message published on {@code channel} to {@code listener} from now on, on a
     * connection of its own that is made (and remade) in the background. Messages published
     * while that connection is down are lost, so {@code onGap} runs whenever it goes down and
     * again once the subscription is confirmed back: a listener that keeps state derived from
     * the messages must then assume it missed some. Both callbacks run on Redis I/O threads and
     * must be quick.
     *
     * @return whether messages are delivered now: false until the subscription is first made,
     *     and from each loss of its connection until it is confirmed again
     */
    BooleanSupplier subscribe(String channel, Consumer<String> listener, Runnable onGap);
}
