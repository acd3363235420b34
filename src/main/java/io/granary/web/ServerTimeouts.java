package io.granary.web;

import io.granary.config.GranaryProperties;
import org.springframework.boot.reactor.netty.NettyServerCustomizer;
import org.springframework.stereotype.Component;
import reactor.netty.NettyPipeline;
import reactor.netty.http.server.HttpServer;

/**
 * Applies {@code granary.http.read-timeout} to the server: a request whose body stops arriving
 * for that long fails and its connection is closed. Without it a stalled client (a slow-loris,
 * a laptop that went to sleep mid-upload) holds its connection, and a tus upload's lock, for as
 * long as the TCP connection lives. (Reactor Netty's {@code readTimeout} does the same at a cost
 * on every request; see {@link BodyReadTimeout}.)
 */
@Component
class ServerTimeouts implements NettyServerCustomizer {

    private static final String HANDLER = "granary.bodyReadTimeout";

    private final GranaryProperties properties;

    ServerTimeouts(GranaryProperties properties) {
        this.properties = properties;
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
            }
        });
    }
}
