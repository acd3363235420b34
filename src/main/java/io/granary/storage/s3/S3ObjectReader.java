package io.granary.storage.s3;

import io.granary.storage.ByteRange;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.AdaptiveRecvByteBufAllocator;
import io.netty.channel.ChannelOption;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.NettyDataBufferFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import reactor.netty.http.client.HttpClient;
import reactor.netty.resources.ConnectionProvider;
import reactor.util.retry.Retry;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.presigner.S3Presigner;

/**
 * Reads object bodies from the store with presigned GETs over Reactor Netty's HTTP client, the
 * same event loops and buffer pool as Granary's own server.
 *
 * <p>Why not the SDK's {@code getObject}: its Netty client decodes bodies into 8 KiB pieces and
 * copies each into a fresh heap array, and each piece then crosses from the SDK's event loop to
 * the server's with a wake-up, which made the SDK path the bottleneck of large downloads
 * (0.25-0.36x the direct path, see {@code docs/benchmarks.md}). Here the store's bytes arrive
 * as pooled buffers of up to {@link #MAX_CHUNK} and pass to the caller as they are.
 *
 * <p>Contract of {@link #open}: the Mono fails as {@link S3Errors#translate} would for the SDK
 * (404 of a key is {@code BLOB_NOT_FOUND}, an unreachable store {@code STORE_UNAVAILABLE}); once
 * it succeeds, the caller owns the stream and must subscribe to it (cancelling is fine) and
 * release each buffer. A store silent for the read timeout fails the stream.
 */
public final class S3ObjectReader implements AutoCloseable {

    /** The largest piece of body handed on at once: at most one socket read's worth in practice. */
    static final int MAX_CHUNK = 1 << 20;
    /**
     * The largest socket read from the store (Netty's default is 64 KiB). Reads grow to it only
     * while the store's bytes arrive faster than they are passed on. Four times fewer reads, and
     * as many fewer writes to the client, took about a third off Granary's CPU per GiB of a large
     * download ({@code docs/benchmarks.md}); a slow client may now hold up to
     * {@link io.granary.web.SendPrefetch#DEFAULT} reads of this size in flight.
     */
    static final int MAX_READ = 256 * 1024;
    private static final Pattern ERROR_CODE = Pattern.compile("<Code>([^<]{1,128})</Code>");
    private static final int MAX_ERROR_BODY = 16 * 1024;

    private final S3Presigner presigner;
    private final String bucket;
    private final boolean signOffLoop;
    private final ConnectionProvider connections;
    private final HttpClient http;
    private final NettyDataBufferFactory buffers = new NettyDataBufferFactory(ByteBufAllocator.DEFAULT);

    /**
     * @param signOffLoop whether signing may block (credentials resolved over the network), so
     *     it runs on a worker thread rather than the caller's event loop
     * @param maxConnections connections to the store kept for reads; a read holds one throughout
     * @param acquireTimeout how long a read may wait for a free connection
     * @param readTimeout longest silence of the store, before the headers or within the body
     */
    public S3ObjectReader(S3Presigner presigner, String bucket, boolean signOffLoop, int maxConnections,
                          Duration acquireTimeout, Duration readTimeout) {
        this.presigner = Objects.requireNonNull(presigner, "presigner");
        this.bucket = Objects.requireNonNull(bucket, "bucket");
        this.signOffLoop = signOffLoop;
        this.connections = ConnectionProvider.builder("granary-store-reads")
                .maxConnections(maxConnections)
                .pendingAcquireTimeout(acquireTimeout)
                // Stores close idle connections on their side (S3 after about 20 s).
                .maxIdleTime(Duration.ofSeconds(15))
                .build();
        this.http = HttpClient.create(connections)
                .responseTimeout(readTimeout)
                .option(ChannelOption.RCVBUF_ALLOCATOR, new AdaptiveRecvByteBufAllocator(512, 64 * 1024, MAX_READ))
                .httpResponseDecoder(decoder -> decoder.maxChunkSize(MAX_CHUNK));
    }

    /** The body of {@code key} ({@code range} of it unless null), once the store has answered. */
    Mono<Flux<DataBuffer>> open(String key, ByteRange range) {
        return sign(key)
                .flatMap(url -> (range == null ? http : http.headers(headers -> headers.set(HttpHeaderNames.RANGE,
                                "bytes=" + range.first() + "-" + range.last())))
                        .get()
                        .uri(url)
                        .responseConnection((response, connection) -> {
                            HttpResponseStatus status = response.status();
                            if (status.code() == 200 || status.code() == 206) {
                                // Retained: Reactor Netty releases its own reference after each
                                // onNext; the one taken here is the caller's to release.
                                Flux<DataBuffer> body = connection.inbound().receive().retain()
                                        .<DataBuffer>map(buffers::wrap)
                                        .onErrorMap(S3Errors::translate);
                                return Mono.just(body);
                            }
                            return connection.inbound().receive().aggregate().asString(StandardCharsets.UTF_8)
                                    .defaultIfEmpty("")
                                    .flatMap(text -> Mono.<Flux<DataBuffer>>error(failure(status.code(), text)));
                        })
                        .single())
                // A 500/503 (SlowDown) or a connection lost before the answer: tried again, as
                // the SDK does for its own calls. Nothing of the body was handed out yet.
                .retryWhen(Retry.backoff(2, Duration.ofMillis(100)).filter(S3ObjectReader::worthRetrying)
                        .onRetryExhaustedThrow((spec, signal) -> signal.failure()))
                .onErrorMap(S3Errors::translate);
    }

    private Mono<URI> sign(String key) {
        Mono<URI> signed = Mono.fromCallable(() -> presigner.presignGetObject(request -> request
                        .signatureDuration(Duration.ofMinutes(5))
                        .getObjectRequest(get -> get.bucket(bucket).key(key)))
                .url().toURI());
        return signOffLoop ? signed.subscribeOn(Schedulers.boundedElastic()) : signed;
    }

    private static boolean worthRetrying(Throwable error) {
        if (error instanceof S3Exception s3) {
            return s3.statusCode() == 503 || s3.statusCode() == 500;
        }
        return error instanceof IOException;
    }

    /** The store's error answer as the SDK would have reported it, so one translation serves both. */
    private static S3Exception failure(int status, String body) {
        String text = body.length() > MAX_ERROR_BODY ? body.substring(0, MAX_ERROR_BODY) : body;
        Matcher code = ERROR_CODE.matcher(text);
        return (S3Exception) S3Exception.builder()
                .statusCode(status)
                .message("GET answered HTTP " + status)
                .awsErrorDetails(AwsErrorDetails.builder()
                        .errorCode(code.find() ? code.group(1) : null)
                        .serviceName("S3")
                        .build())
                .build();
    }

    @Override
    public void close() {
        connections.dispose();
    }
}
