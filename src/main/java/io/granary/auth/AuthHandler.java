package io.granary.auth;

import io.granary.web.Requests;
import java.net.InetSocketAddress;
import java.time.Duration;
import org.springframework.http.CacheControl;
import org.springframework.http.MediaType;
import org.springframework.stereotype.Component;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;
import reactor.core.publisher.Mono;

/**
 * HTTP for the embedded issuer: {@code /v1/auth/login}, {@code /refresh} and {@code /logout}
 * (no credential needed), and the public {@code /.well-known} documents.
 */
@Component
public class AuthHandler {

    /** Body of a login. */
    record Login(String username, String password) {
    }

    /** Body of a refresh or logout. */
    record Refresh(String refreshToken) {
    }

    private final SessionService sessions;
    private final EmbeddedIssuer issuer;

    AuthHandler(SessionService sessions, EmbeddedIssuer issuer) {
        this.sessions = sessions;
        this.issuer = issuer;
    }

    public Mono<ServerResponse> login(ServerRequest request) {
        return Requests.json(request, Login.class)
                .flatMap(body -> sessions.login(body.username(), body.password(), remote(request)))
                .flatMap(AuthHandler::tokens);
    }

    public Mono<ServerResponse> refresh(ServerRequest request) {
        return Requests.json(request, Refresh.class)
                .flatMap(body -> sessions.refresh(body.refreshToken()))
                .flatMap(AuthHandler::tokens);
    }

    public Mono<ServerResponse> logout(ServerRequest request) {
        return Requests.json(request, Refresh.class)
                .flatMap(body -> sessions.logout(body.refreshToken()))
                .then(ServerResponse.noContent().build());
    }

    public Mono<ServerResponse> jwks(ServerRequest request) {
        return issuer.jwks().flatMap(keys -> ServerResponse.ok()
                .contentType(MediaType.APPLICATION_JSON)
                .cacheControl(CacheControl.maxAge(Duration.ofMinutes(5)).cachePublic())
                .bodyValue(keys));
    }

    public Mono<ServerResponse> openidConfiguration(ServerRequest request) {
        return ServerResponse.ok().contentType(MediaType.APPLICATION_JSON)
                .cacheControl(CacheControl.maxAge(Duration.ofMinutes(5)).cachePublic())
                .bodyValue(issuer.openidConfiguration());
    }

    private static Mono<ServerResponse> tokens(SessionService.Tokens tokens) {
        // Tokens must never be cached by a proxy or the browser.
        return ServerResponse.ok().cacheControl(CacheControl.noStore()).header("Pragma", "no-cache").bodyValue(tokens);
    }

    private static String remote(ServerRequest request) {
        return request.remoteAddress().map(InetSocketAddress::getAddress).map(java.net.InetAddress::getHostAddress).orElse("unknown");
    }
}
