package io.granary.web;

import io.granary.config.GranaryProperties;
import org.springframework.boot.reactor.netty.NettyServerCustomizer;
import org.springframework.stereotype.Component;
import reactor.netty.http.server.HttpServer;

/**
 * Applies {@code granary.http.read-timeout} to the server: a request whose body stops arriving
 * for that long fails and its connection is closed. Without it a stalled client (a slow-loris,
 * a laptop that went to sleep mid-upload) holds its connection, and a tus upload's lock, for as
 * long as the TCP connection lives.
 */
@Component
class ServerTimeouts implements NettyServerCustomizer {

    private final GranaryProperties properties;

    ServerTimeouts(GranaryProperties properties) {
        this.properties = properties;
    }

    @Override
    public HttpServer apply(HttpServer server) {
        return server.readTimeout(properties.http().readTimeout());
    }
}
