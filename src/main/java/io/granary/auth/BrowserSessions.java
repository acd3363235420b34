package io.granary.auth;

import io.granary.config.GranaryProperties;
import io.granary.error.ErrorCode;
import io.granary.error.GranaryException;
import java.net.URI;
import java.time.Duration;
import java.util.Optional;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.http.HttpCookie;
import org.springframework.http.ResponseCookie;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.stereotype.Component;

/**
 * The HTTP side of browser sessions: a login, refresh or logout sent with
 * {@code X-Granary-Session: cookie} keeps its refresh token in the {@code granary_refresh}
 * cookie ({@code HttpOnly}, {@code SameSite=Strict}, {@code Path=/v1/auth}, {@code Secure} over
 * TLS) instead of the JSON bodies, so the dashboard's scripts never hold it.
 *
 * <p>Why that is CSRF-safe: the cookie is read only when the custom header is present, which a
 * cross-site form cannot send and a cross-origin script can send only after a CORS preflight,
 * which Granary refuses for {@code /v1/auth/*} ({@code io.granary.cors.CorsFilter}). On top of
 * that, {@code SameSite=Strict} keeps the browser from attaching the cookie to cross-site
 * requests at all, and a request whose {@code Origin} is not Granary's own is refused
 * ({@code 403 origin_mismatch}). Granary's own origin is the one the request was sent to (its
 * scheme, and the {@code Host} header), or that of {@code granary.public-url}; forwarded headers
 * are not trusted here, as nowhere else in Granary.
 */
@Component
class BrowserSessions {

    /** The request header that asks for a cookie session. */
    static final String HEADER = "X-Granary-Session";
    /** Its one value. */
    static final String COOKIE_MODE = "cookie";
    /** The cookie holding the refresh token. */
    static final String COOKIE = "granary_refresh";
    /** The cookie's path: login, refresh and logout, and nothing else. */
    static final String COOKIE_PATH = "/v1/auth";

    private final Duration lifetime;
    private final String publicOrigin;

    @Autowired
    BrowserSessions(GranaryProperties properties) {
        this(properties.auth().refreshTokenTtl(), properties.publicUrl());
    }

    /** Cookies that live {@code lifetime}; {@code publicUrl} ({@code granary.public-url}) may be {@code null}. */
    BrowserSessions(Duration lifetime, URI publicUrl) {
        this.lifetime = lifetime;
        this.publicOrigin = Origins.of(publicUrl);
    }

    /**
     * Whether {@code request} asks for a cookie session. A request that does must come from
     * Granary's own origin when it names one ({@code 403 origin_mismatch}); another value of the
     * header is {@code 400 invalid_request}.
     */
    boolean requested(ServerHttpRequest request) {
        String mode = request.getHeaders().getFirst(HEADER);
        if (mode == null) {
            return false;
        }
        if (!mode.strip().equalsIgnoreCase(COOKIE_MODE)) {
            throw new GranaryException(ErrorCode.INVALID_REQUEST, HEADER + " takes one value, '" + COOKIE_MODE + "'.");
        }
        String origin = request.getHeaders().getOrigin();
        if (origin != null && !ownOrigin(request, Origins.parse(origin))) {
            throw new GranaryException(ErrorCode.ORIGIN_MISMATCH, "Browser sessions are for pages of Granary's own origin ("
                    + Origins.of(request.getURI()) + (publicOrigin == null ? "" : " or " + publicOrigin)
                    + "); this request came from " + origin + ".");
        }
        return true;
    }

    /** The refresh token the request's cookie holds, if it has one. */
    Optional<String> refreshToken(ServerHttpRequest request) {
        return Optional.ofNullable(request.getCookies().getFirst(COOKIE)).map(HttpCookie::getValue).filter(value -> !value.isBlank());
    }

    /** The cookie that hands {@code refreshToken} to the browser for the refresh lifetime. */
    ResponseCookie issue(ServerHttpRequest request, String refreshToken) {
        return cookie(request, refreshToken, lifetime);
    }

    /** The cookie that makes the browser forget its refresh token. */
    ResponseCookie cleared(ServerHttpRequest request) {
        return cookie(request, "", Duration.ZERO);
    }

    private ResponseCookie cookie(ServerHttpRequest request, String value, Duration maxAge) {
        return ResponseCookie.from(COOKIE, value)
                .path(COOKIE_PATH)
                .maxAge(maxAge)
                .httpOnly(true)
                .secure(overTls(request))
                .sameSite("Strict")
                .build();
    }

    /**
     * Whether the browser reaches Granary over TLS: the connection is TLS, or the operator said
     * so in {@code granary.public-url} (TLS ended at a proxy in front).
     */
    private boolean overTls(ServerHttpRequest request) {
        return request.getSslInfo() != null || "https".equalsIgnoreCase(request.getURI().getScheme())
                || publicOrigin != null && publicOrigin.startsWith("https://");
    }

    private boolean ownOrigin(ServerHttpRequest request, String origin) {
        return origin != null && (origin.equals(Origins.of(request.getURI())) || origin.equals(publicOrigin));
    }
}
