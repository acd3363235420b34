package io.granary.web;

import io.netty.channel.Channel;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.http.server.reactive.ServerHttpRequestDecorator;
import reactor.netty.Connection;
import reactor.netty.http.server.HttpServerRequest;

/** The Netty channel under a request, for what only the connection knows. */
final class Channels {

    private Channels() {
    }

    /** The channel {@code request} arrived on, or {@code null} when it has none. */
    static Channel of(HttpServerRequest request) {
        if (request instanceof Connection connection) {
            return connection.channel(); // Reactor Netty's own requests are their connection
        }
        Channel[] channel = new Channel[1];
        request.withConnection(connection -> channel[0] = connection.channel());
        return channel[0];
    }

    /** The channel of a WebFlux request on Reactor Netty, or {@code null} (another server, a mock). */
    static Channel of(ServerHttpRequest request) {
        return ServerHttpRequestDecorator.getNativeRequest(request) instanceof HttpServerRequest reactor ? of(reactor) : null;
    }

    /** Whether the client is still connected: {@code true} when that cannot be told. */
    static boolean open(ServerHttpRequest request) {
        Channel channel = of(request);
        return channel == null || channel.isActive();
    }
}
