package io.granary.s3api;

import io.granary.bucket.BucketService;
import io.granary.cors.CorsPolicy;
import io.granary.object.ObjectService;
import io.granary.ratelimit.RateLimiter;
import io.granary.s3credential.S3CredentialService;
import io.granary.security.AnonymousReaders;
import io.granary.upload.MultipartService;
import java.time.Clock;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.reactor.netty.NettyReactiveWebServerFactory;
import org.springframework.boot.reactor.netty.NettyServerCustomizer;
import org.springframework.boot.web.server.WebServer;
import org.springframework.context.SmartLifecycle;
import org.springframework.http.client.ReactorResourceFactory;
import org.springframework.http.codec.HttpMessageWriter;
import org.springframework.http.server.reactive.HttpHandler;
import org.springframework.stereotype.Component;
import org.springframework.web.reactive.function.server.HandlerStrategies;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;
import org.springframework.web.reactive.result.view.ViewResolver;
import org.springframework.web.server.adapter.WebHttpHandlerBuilder;

/**
 * The S3 API's own listener ({@code granary.s3.port}, 9000 by default), served by this
 * application context on the same event loops as the REST API and with the same connection
 * handlers (read timeout, body framing, access log). Started with the context, stopped with it;
 * not started when {@code granary.s3.enabled} is false. Requests are path-style
 * ({@code /bucket/key}), or virtual-host style when {@code granary.s3.domain} is set
 * ({@link S3Addressing}).
 */
@Component
public class S3Listener implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(S3Listener.class);

    private final S3Properties properties;
    private final S3Dispatcher dispatcher;
    private final ReactorResourceFactory resources;
    private final ObjectProvider<NettyServerCustomizer> customizers;
    private volatile WebServer server;

    S3Listener(S3Properties properties, S3CredentialService credentials, BucketService buckets, ObjectService objects,
               MultipartService multipart, AnonymousReaders anonymousReaders, CorsPolicy corsPolicy, RateLimiter rateLimiter,
               ReactorResourceFactory resources,
               ObjectProvider<NettyServerCustomizer> customizers) {
        this.properties = properties;
        this.resources = resources;
        this.customizers = customizers;
        S3ObjectOperations objectOperations = new S3ObjectOperations(objects);
        S3Authenticator authenticator = new S3Authenticator(credentials, rateLimiter, Clock.systemUTC());
        this.dispatcher = new S3Dispatcher(new S3Addressing(properties.domain()), authenticator,
                new S3PublicReads(anonymousReaders, objectOperations, corsPolicy),
                new S3BucketOperations(buckets, properties.region()), objectOperations,
                new S3ListOperations(objects), new S3BatchDelete(objects), new S3CopyObject(objects),
                new S3Multipart(multipart), new S3MultipartListing(multipart), new S3PartCopy(objects, multipart),
                new S3Acls(buckets, objects), new S3ObjectTagging(objects), new S3BucketCors(buckets), corsPolicy,
                new S3PostObject(authenticator, objects, Clock.systemUTC()));
    }

    @Override
    public void start() {
        if (!properties.enabled()) {
            return;
        }
        PayloadChecksum.loadNativeCode();
        NettyReactiveWebServerFactory factory = new NettyReactiveWebServerFactory(properties.port());
        factory.setResourceFactory(resources);
        factory.setServerCustomizers(customizers.orderedStream().toList());
        WebServer started = factory.getWebServer(httpHandler());
        started.start();
        server = started;
        log.info("S3 API listening on port {}", started.getPort());
    }

    /**
     * Every request goes to the dispatcher. Not through {@code RouterFunctions.toHttpHandler}:
     * its handler refuses each CORS preflight itself (a bare 403) before any route runs, and S3
     * answers them from the bucket's rules.
     */
    private HttpHandler httpHandler() {
        HandlerStrategies strategies = HandlerStrategies.withDefaults();
        ServerResponse.Context context = new ServerResponse.Context() {
            @Override
            public List<HttpMessageWriter<?>> messageWriters() {
                return strategies.messageWriters();
            }

            @Override
            public List<ViewResolver> viewResolvers() {
                return strategies.viewResolvers();
            }
        };
        return WebHttpHandlerBuilder.webHandler(exchange -> dispatcher.handle(ServerRequest.create(exchange,
                        strategies.messageReaders()))
                .flatMap(response -> response.writeTo(exchange, context))).build();
    }

    @Override
    public void stop() {
        WebServer running = server;
        server = null;
        if (running != null) {
            running.stop();
        }
    }

    @Override
    public boolean isRunning() {
        return server != null;
    }

    /** The port the listener is bound to; -1 when it is not running. */
    public int port() {
        WebServer running = server;
        return running == null ? -1 : running.getPort();
    }
}
