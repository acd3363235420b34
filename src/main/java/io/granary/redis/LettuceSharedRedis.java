package io.granary.redis;

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
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * {@link SharedRedis} on one Lettuce connection (Lettuce multiplexes all commands over it).
 *
 * <p>Start-up never waits for Redis: the first connection attempt runs in the background, and a
 * failed attempt is repeated by the next call the {@link Breaker} lets through. Once connected,
 * Lettuce reconnects by itself; while it is disconnected, commands are rejected at once instead
 * of being queued, so callers fall back immediately rather than after the timeout.
 */
final class LettuceSharedRedis implements SharedRedis, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(LettuceSharedRedis.class);

    /** Connecting may take a TLS and AUTH/HELLO handshake; requests do not wait for it past the timeout. */
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
    private boolean closed;

    LettuceSharedRedis(String url, Duration timeout, Duration retryInterval) {
        this.uri = RedisURI.create(url);
        this.uri.setTimeout(timeout);
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
                .socketOptions(SocketOptions.builder()
                        .connectTimeout(timeout.compareTo(MIN_CONNECT_TIMEOUT) > 0 ? timeout : MIN_CONNECT_TIMEOUT)
                        .keepAlive(true)
                        .build())
                // Answers are emitted off the connection's I/O thread, so whatever a caller does
                // next (handling the request) cannot hold up other callers' Redis traffic.
                .publishOnScheduler(true)
                .build());
        connect().whenComplete((connected, error) -> {
            if (error == null) {
                log.info("Connected to Redis at {}", address);
            } else {
                failed(error);
            }
        });
    }

    @Override
    public <T> Mono<T> run(Function<RedisReactiveCommands<String, String>, Mono<T>> commands) {
        if (!breaker.allow(System.nanoTime())) {
            return Mono.error(new RedisUnavailableException("Redis at " + address + " failed recently", null));
        }
        return connection()
                .flatMap(connected -> commands.apply(connected.reactive()))
                // Covers connecting too; single commands are also bounded by Lettuce's own timeout.
                .timeout(timeout)
                .doOnSuccess(ignored -> succeeded())
                .onErrorMap(error -> {
                    failed(error);
                    return error instanceof RedisUnavailableException ? error
                            : new RedisUnavailableException("Redis at " + address + " did not answer", error);
                });
    }

    /** The connection, starting a new attempt if the last one failed; connecting never happens on the caller's thread. */
    private Mono<StatefulRedisConnection<String, String>> connection() {
        CompletableFuture<StatefulRedisConnection<String, String>> current = current();
        if (current != null) {
            // suppressCancel: a caller that gives up must not abort the attempt for everyone else.
            return Mono.fromFuture(current, true);
        }
        // Resolving the host name may block, so a new attempt starts on a worker thread.
        return Mono.fromCallable(this::connect)
                .subscribeOn(Schedulers.boundedElastic())
                .flatMap(attempt -> Mono.fromFuture(attempt, true));
    }

    /** The attempt in progress or the live connection, or {@code null} when a new attempt is due. */
    private synchronized CompletableFuture<StatefulRedisConnection<String, String>> current() {
        return connection == null || connection.isCompletedExceptionally() ? null : connection;
    }

    private synchronized CompletableFuture<StatefulRedisConnection<String, String>> connect() {
        if (closed) {
            throw new IllegalStateException("closed");
        }
        if (connection == null || connection.isCompletedExceptionally()) {
            connection = client.connectAsync(StringCodec.UTF8, uri).toCompletableFuture();
        }
        return connection;
    }

    private void succeeded() {
        if (breaker.succeeded()) {
            log.info("Redis at {} answers again", address);
        }
    }

    private void failed(Throwable error) {
        Throwable cause = error instanceof RedisUnavailableException && error.getCause() != null ? error.getCause() : error;
        if (breaker.failed(System.nanoTime())) {
            log.warn("Redis at {} is unavailable ({}); features that use it fall back to this node's own state "
                    + "and try Redis again every {}", address, cause.toString(), retryInterval);
        } else {
            log.debug("Redis at {} still unavailable: {}", address, cause.toString());
        }
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
        client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
        resources.shutdown(0, 2, TimeUnit.SECONDS);
    }

    /** Host and port only: the URL may carry a password. */
    private static String describe(RedisURI uri) {
        if (uri.getHost() != null) {
            return uri.getHost() + ":" + uri.getPort();
        }
        return uri.getSentinels().isEmpty() ? "(socket)" : "sentinels " + uri.getSentinelMasterId();
    }
}
