package io.granary.auth;

import io.granary.error.ErrorCode;
import io.granary.error.GranaryException;
import io.granary.web.Requests;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.springframework.http.CacheControl;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.stereotype.Component;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;
import reactor.core.publisher.Mono;

/**
 * HTTP for the embedded issuer: {@code /v1/auth/login}, {@code /refresh} and {@code /logout}
 * (no credential needed), each with the refresh token in the JSON bodies or, for the dashboard,
 * with {@code X-Granary-Session: cookie} in a cookie ({@link BrowserSessions}); the login
 * providers the dashboard offers ({@code /v1/auth/providers}); and the public
 * {@code /.well-known} documents.
 */
@Component
public class AuthHandler {

    /** Body of a login. */
    record Login(String username, String password) {
    }

    /** Body of a refresh or logout (optional and without a token in cookie sessions). */
    record Refresh(String refreshToken) {
    }

    /** What a cookie session's login or refresh answers: the refresh token went into the cookie. */
    record BrowserTokens(String accessToken, long expiresIn, String tokenType) {
    }

    private final SessionService sessions;
    private final EmbeddedIssuer issuer;
    private final BrowserSessions browser;
    private final LoginProviders providers;

    AuthHandler(SessionService sessions, EmbeddedIssuer issuer, BrowserSessions browser, LoginProviders providers) {
        this.sessions = sessions;
        this.issuer = issuer;
        this.browser = browser;
        this.providers = providers;
    }

    public Mono<ServerResponse> login(ServerRequest request) {
        ServerHttpRequest http = request.exchange().getRequest();
        return cookieSession(request).flatMap(cookie -> Requests.json(request, Login.class)
                .flatMap(body -> sessions.login(body.username(), body.password(), remote(request),
                        SessionOpening.of(cookie ? SessionOpening.BROWSER : SessionOpening.PASSWORD,
                                request.headers().firstHeader(HttpHeaders.USER_AGENT))))
                .flatMap(tokens -> !cookie ? tokens(tokens)
                        // The browser's previous session, if any, loses its cookie now: end it.
                        : Mono.justOrEmpty(browser.refreshToken(http)).flatMap(sessions::logout)
                                .then(browserTokens(http, tokens))));
    }

    public Mono<ServerResponse> refresh(ServerRequest request) {
        ServerHttpRequest http = request.exchange().getRequest();
        return cookieSession(request).flatMap(cookie -> !cookie
                ? Requests.json(request, Refresh.class).flatMap(body -> sessions.refresh(body.refreshToken())).flatMap(AuthHandler::tokens)
                : noTokenInBody(request)
                        .then(Mono.justOrEmpty(browser.refreshToken(http)))
                        .switchIfEmpty(Mono.error(() -> new GranaryException(ErrorCode.INVALID_TOKEN,
                                "The request has no " + BrowserSessions.COOKIE + " cookie; log in.")))
                        .flatMap(token -> sessions.refresh(token).onErrorMap(GranaryException.class, error -> clearingCookie(http, error)))
                        .flatMap(tokens -> browserTokens(http, tokens)));
    }

    public Mono<ServerResponse> logout(ServerRequest request) {
        ServerHttpRequest http = request.exchange().getRequest();
        return cookieSession(request).flatMap(cookie -> !cookie
                ? Requests.json(request, Refresh.class).flatMap(body -> sessions.logout(body.refreshToken()))
                        .then(ServerResponse.noContent().build())
                : noTokenInBody(request)
                        .then(Mono.justOrEmpty(browser.refreshToken(http)).flatMap(sessions::logout))
                        .then(ServerResponse.noContent().cookie(browser.cleared(http)).build()));
    }

    /** {@code GET /v1/auth/providers}: the logins the dashboard may offer. */
    public Mono<ServerResponse> providers(ServerRequest request) {
        return providers.document().flatMap(document -> ServerResponse.ok().contentType(MediaType.APPLICATION_JSON)
                .cacheControl(CacheControl.noCache()).bodyValue(document));
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

    /** Whether the request asks for a cookie session; checked before its body is read. */
    private Mono<Boolean> cookieSession(ServerRequest request) {
        return Mono.fromCallable(() -> browser.requested(request.exchange().getRequest()));
    }

    /** A cookie session's refresh or logout may have an empty JSON body, but never a token in it. */
    private static Mono<Void> noTokenInBody(ServerRequest request) {
        return Requests.optionalJson(request, Refresh.class)
                .filter(body -> body.refreshToken() != null)
                .flatMap(body -> Mono.error(new GranaryException(ErrorCode.INVALID_REQUEST, "With " + BrowserSessions.HEADER
                        + ": cookie the refresh token is read from the cookie only; leave refreshToken out.")));
    }

    /** A refused refresh also makes the browser drop the cookie: that session is over. */
    private GranaryException clearingCookie(ServerHttpRequest http, GranaryException error) {
        if (error.code() != ErrorCode.INVALID_TOKEN && error.code() != ErrorCode.TOKEN_EXPIRED) {
            return error;
        }
        Map<String, String> headers = new HashMap<>(error.responseHeaders());
        headers.put(HttpHeaders.SET_COOKIE, browser.cleared(http).toString());
        return new GranaryException(error.code(), error.getMessage(), headers);
    }

    private Mono<ServerResponse> browserTokens(ServerHttpRequest http, SessionService.Tokens tokens) {
        return ServerResponse.ok().cacheControl(CacheControl.noStore()).header("Pragma", "no-cache")
                .cookie(browser.issue(http, tokens.refreshToken()))
                .bodyValue(new BrowserTokens(tokens.accessToken(), tokens.expiresIn(), tokens.tokenType()));
    }

    private static Mono<ServerResponse> tokens(SessionService.Tokens tokens) {
        // Tokens must never be cached by a proxy or the browser.
        return ServerResponse.ok().cacheControl(CacheControl.noStore()).header("Pragma", "no-cache").bodyValue(tokens);
    }

    private static String remote(ServerRequest request) {
        return request.remoteAddress().map(InetSocketAddress::getAddress).map(java.net.InetAddress::getHostAddress).orElse("unknown");
    }
}
