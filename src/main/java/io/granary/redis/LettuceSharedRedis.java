package io.granary.redis;

import io.lettuce.core.RedisChannelHandler;
import io.lettuce.core.RedisConnectionStateListener;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.reactive.RedisReactiveCommands;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import io.lettuce.core.resource.Delay;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * {@link SharedRedis} on one Lettuce connection (Lettuce multiplexes all commands over it).
 *
 * <p>Neither start-up nor any call waits for a connection to be made: the first attempt runs in
 * the background, calls meanwhile fall back, and a failed attempt is repeated by the next call
 * the {@link Breaker} lets through. Once connected, Lettuce reconnects by itself; while it is
 * disconnected, commands are rejected at once instead of being queued, so callers fall back
 * immediately rather than after the timeout.
 */
final class LettuceSharedRedis implements SharedRedis, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(LettuceSharedRedis.class);

    /** Connecting may take a TLS and HELLO/AUTH handshake, and requests never wait for it: it may take longer. */
    private static final Duration MIN_CONNECT_TIMEOUT = Duration.ofSeconds(2);

    private final RedisURI uri;
    private final String address;
    private final Duration timeout;
    private final Duration retryInterval;
    private final ClientResources resources;
    private final RedisClient client;
    private final Breaker breaker;

    /** The current or last connection attempt; guarded by {@code this}. */
    private CompletableFuture<StatefulRedisConnection<String, String>> connection;
    private volatile boolean closed;
    /** The connection subscriptions run on, once made. */
    private final AtomicReference<StatefulRedisPubSubConnection<String, String>> pubSub = new AtomicReference<>();

    LettuceSharedRedis(String url, Duration timeout, Duration retryInterval) {
        Duration connectTimeout = timeout.compareTo(MIN_CONNECT_TIMEOUT) > 0 ? timeout : MIN_CONNECT_TIMEOUT;
        this.uri = RedisURI.create(url);
        // Bounds the connection handshake (HELLO, AUTH, SELECT); commands get their own timeout below.
        this.uri.setTimeout(connectTimeout);
        this.address = describe(uri);
        this.timeout = timeout;
        this.retryInterval = retryInterval;
        this.breaker = new Breaker(retryInterval.toNanos());
        // Lettuce's default reconnect backoff grows to 30 s; cap it at the retry interval so the
        // connection is back by the time callers try Redis again.
        this.resources = DefaultClientResources.builder()
                .reconnectDelay(Delay.exponential(Duration.ofMillis(50), retryInterval, 2, TimeUnit.MILLISECONDS))
                .build();
        this.client = RedisClient.create(resources);
        client.setOptions(ClientOptions.builder()
                .autoReconnect(true)
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                .timeoutOptions(TimeoutOptions.enabled(timeout))
                .socketOptions(SocketOptions.builder().connectTimeout(connectTimeout).keepAlive(true).build())
                // Answers are emitted off the connection's I/O thread, so whatever a caller does
                // next (handling the request) cannot hold up other callers' Redis traffic.
                .publishOnScheduler(true)
                .build());
        synchronized (this) {
            // On the start-up thread, where resolving the host name may block; nothing waits for it.
            connection = connect(Runnable::run);
        }
    }

    @Override
    public <T> Mono<T> run(Function<RedisReactiveCommands<String, String>, Mono<T>> commands) {
        return Mono.defer(() -> {
            if (!breaker.allow(System.nanoTime())) {
                return Mono.error(new RedisUnavailableException("Redis at " + address + " failed recently", null));
            }
            StatefulRedisConnection<String, String> connected = connected();
            if (connected == null) {
                // Callers never wait for a connection: this one falls back, later ones find it.
                return Mono.error(new RedisUnavailableException("Redis at " + address + " is not connected yet", null));
            }
            return commands.apply(connected.reactive())
                    .timeout(timeout)
                    .doOnSuccess(ignored -> succeeded())
                    .onErrorMap(error -> {
                        failed(error);
                        return new RedisUnavailableException("Redis at " + address + " did not answer", error);
                    });
        });
    }

    /** The open connection, or {@code null} while connecting; starts a new attempt when the last one failed. */
    private synchronized StatefulRedisConnection<String, String> connected() {
        if (connection.isCompletedExceptionally() && !closed) {
            // Resolving the host name may block, so the new attempt starts on a worker thread.
            connection = connect(task -> Schedulers.boundedElastic().schedule(task));
        }
        return connection.isDone() && !connection.isCompletedExceptionally() ? connection.join() : null;
    }

    private CompletableFuture<StatefulRedisConnection<String, String>> connect(Executor executor) {
        CompletableFuture<StatefulRedisConnection<String, String>> attempt = CompletableFuture
                .supplyAsync(() -> client.connectAsync(StringCodec.UTF8, uri).toCompletableFuture(), executor)
                .thenCompose(Function.identity());
        attempt.whenComplete((connected, error) -> {
            if (error != null) {
                failed(error);
            } else {
                log.info("Connected to Redis at {}", address);
                breaker.succeeded();
            }
        });
        return attempt;
    }

    private void succeeded() {
        if (breaker.succeeded()) {
            log.info("Redis at {} answers again", address);
        }
    }

    private void failed(Throwable error) {
        Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
        if (breaker.failed(System.nanoTime())) {
            log.warn("Redis at {} is unavailable ({}); features that use it fall back to this node's own state "
                    + "and try Redis again every {}", address, cause.toString(), readable(retryInterval));
        } else {
            log.debug("Redis at {} still unavailable: {}", address, cause.toString());
        }
    }

    @Override
    public BooleanSupplier subscribe(String channel, Consumer<String> listener, Runnable onGap) {
        AtomicBoolean live = new AtomicBoolean();
        // Lettuce reconnects and resubscribes by itself. A gap begins when the connection drops,
        // and ends only once Redis has confirmed the subscription again (not when the socket is
        // back: messages published before the confirmation are not delivered).
        client.addListener(new RedisConnectionStateListener() {
            @Override
            public void onRedisDisconnected(RedisChannelHandler<?, ?> connection) {
                if (connection == pubSub.get() && live.getAndSet(false)) {
                    onGap.run();
                }
            }
        });
        subscribeWhenPossible(channel, listener, live, onGap);
        return live::get;
    }

    /** Makes the subscription in the background, trying again every retry interval until it works. */
    private void subscribeWhenPossible(String channel, Consumer<String> listener, AtomicBoolean live, Runnable onGap) {
        Schedulers.boundedElastic().schedule(() -> {
            if (closed) {
                return;
            }
            StatefulRedisPubSubConnection<String, String> connection = null;
            try {
                connection = client.connectPubSub(StringCodec.UTF8, uri);
                connection.addListener(new RedisPubSubAdapter<>() {
                    @Override
                    public void message(String from, String message) {
                        if (channel.equals(from)) {
                            listener.accept(message);
                        }
                    }

                    @Override
                    public void subscribed(String to, long count) {
                        // The first subscription and every resubscription after a reconnect. The
                        // gap is closed before it is declared over, so that nothing derived during
                        // it outlives it.
                        if (channel.equals(to) && !live.get()) {
                            onGap.run();
                            live.set(true);
                        }
                    }
                });
                pubSub.set(connection);
                connection.sync().subscribe(channel);
                log.info("Subscribed to Redis channel {} at {}", channel, address);
            } catch (RuntimeException e) {
                log.debug("Subscribing to Redis channel {} failed, retrying in {}: {}", channel, readable(retryInterval), e.toString());
                if (connection != null) {
                    // Connected but not subscribed: not kept, or the retry would add a second one.
                    pubSub.compareAndSet(connection, null);
                    connection.closeAsync();
                }
                Schedulers.boundedElastic().schedule(() -> subscribeWhenPossible(channel, listener, live, onGap),
                        retryInterval.toMillis(), TimeUnit.MILLISECONDS);
            }
        });
    }

    @Override
    public void close() {
        CompletableFuture<StatefulRedisConnection<String, String>> last;
        synchronized (this) {
            closed = true;
            last = connection;
        }
        if (last != null) {
            last.thenAccept(StatefulRedisConnection::close);
        }
        StatefulRedisPubSubConnection<String, String> subscribed = pubSub.getAndSet(null);
        if (subscribed != null) {
            subscribed.closeAsync();
        }
        client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
        resources.shutdown(0, 2, TimeUnit.SECONDS);
    }

    private static String readable(Duration duration) {
        long millis = duration.toMillis();
        return millis % 1000 == 0 ? millis / 1000 + "s" : millis + "ms";
    }

    /** Host and port only: the URL may carry a password. */
    private static String describe(RedisURI uri) {
        if (uri.getHost() != null) {
            return uri.getHost() + ":" + uri.getPort();
        }
        return uri.getSentinels().isEmpty() ? "(socket)" : "sentinels " + uri.getSentinelMasterId();
    }
}
