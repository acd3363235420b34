package io.granary.web;

import io.granary.config.GranaryProperties;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.reactor.netty.NettyServerCustomizer;
import org.springframework.stereotype.Component;
import reactor.netty.NettyPipeline;
import reactor.netty.http.server.HttpServer;

/**
 * Granary's handlers around the server's HTTP/1.1 codec, on every connection:
 * <ul>
 * <li>{@link BodyReadTimeout} applies {@code granary.http.read-timeout}: a request whose body
 * stops arriving for that long fails and its connection is closed. Without it a stalled client
 * (a slow-loris, a laptop that went to sleep mid-upload) holds its connection, and a tus
 * upload's lock, for as long as the TCP connection lives. (Reactor Netty's {@code readTimeout}
 * does the same at a cost on every request.)
 * <li>{@link BodyFraming} fails a request body whose chunked framing broke, so no upload commits
 * what arrived before the break.
 * <li>{@link AccessRecorder} writes the access log from what the connection actually sent, and
 * tells {@link BucketTraffic} (the usage history's counters) of each request to a bucket.
 * <li>{@link InterimResponses} keeps {@code Connection: close} off {@code 100 Continue}.
 * </ul>
 */
@Component
class ServerPipeline implements NettyServerCustomizer {

    private static final String HANDLER = "granary.bodyReadTimeout";
    private static final String FRAMING = "granary.bodyFraming";
    private static final String ACCESS_LOG = "granary.accessLog";
    private static final String INTERIM = "granary.interimResponses";

    private final GranaryProperties properties;
    private final ObjectProvider<BucketTraffic> trafficProvider;
    /** Looked up at the first connection: servers are built before the beans they serve. */
    private volatile BucketTraffic traffic;

    ServerPipeline(GranaryProperties properties, ObjectProvider<BucketTraffic> traffic) {
        this.properties = properties;
        this.trafficProvider = traffic;
    }

    private BucketTraffic traffic() {
        BucketTraffic found = traffic;
        if (found == null) {
            found = trafficProvider.getIfAvailable(() -> BucketTraffic.NONE);
            traffic = found;
        }
        return found;
    }

    @Override
    public HttpServer apply(HttpServer server) {
        long timeoutNanos = properties.http().readTimeout().toNanos();
        return server.doOnChannelInit((observer, channel, remoteAddress) -> {
            // Around the HTTP/1.1 codec: socket reads and read requests before it, requests
            // and their contents after it.
            if (channel.pipeline().get(NettyPipeline.HttpCodec) != null) {
                BodyReadTimeout timeout = new BodyReadTimeout(timeoutNanos);
                channel.pipeline().addBefore(NettyPipeline.HttpCodec, HANDLER + ".reads", timeout.requests());
                channel.pipeline().addAfter(NettyPipeline.HttpCodec, HANDLER, timeout.messages());
                channel.pipeline().addAfter(HANDLER, FRAMING, new BodyFraming());
                channel.pipeline().addAfter(FRAMING, ACCESS_LOG, new AccessRecorder(traffic()));
                channel.pipeline().addAfter(NettyPipeline.HttpCodec, INTERIM, InterimResponses.INSTANCE);
            }
        });
    }
}
