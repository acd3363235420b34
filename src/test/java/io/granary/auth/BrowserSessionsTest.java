package io.granary.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.granary.error.ErrorCode;
import io.granary.error.GranaryException;
import java.net.URI;
import java.security.cert.X509Certificate;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.springframework.http.ResponseCookie;
import org.springframework.http.server.reactive.SslInfo;
import org.springframework.mock.http.server.reactive.MockServerHttpRequest;

/**
 * The rules of browser sessions that need no server: when the cookie is {@code Secure}, which
 * origins count as Granary's own, and how origins compare.
 */
class BrowserSessionsTest {

    private static final Duration DAY = Duration.ofDays(1);
    private static final SslInfo TLS = new SslInfo() {
        @Override
        public String getSessionId() {
            return "session";
        }

        @Override
        public X509Certificate[] getPeerCertificates() {
            return null;
        }
    };

    @Test
    void theCookieIsSecureOverTlsOrWhenThePublicUrlIsHttps() {
        BrowserSessions plain = new BrowserSessions(DAY, null);
        MockServerHttpRequest http = MockServerHttpRequest.post("http://files.example.com/v1/auth/login").build();
        MockServerHttpRequest tls = MockServerHttpRequest.post("https://files.example.com/v1/auth/login").sslInfo(TLS).build();
        ResponseCookie overHttp = plain.issue(http, "grf_x");
        assertThat(overHttp.isSecure()).isFalse();
        assertThat(overHttp.isHttpOnly()).isTrue();
        assertThat(overHttp.getSameSite()).isEqualTo("Strict");
        assertThat(overHttp.getPath()).isEqualTo("/v1/auth");
        assertThat(overHttp.getMaxAge()).isEqualTo(DAY);
        assertThat(plain.issue(tls, "grf_x").isSecure()).isTrue();
        assertThat(plain.cleared(tls).isSecure()).isTrue();
        assertThat(plain.cleared(tls).getMaxAge()).isZero();
        // TLS ended at a proxy: the operator's public URL says what the browser sees.
        BrowserSessions behindProxy = new BrowserSessions(DAY, URI.create("https://files.example.com/"));
        assertThat(behindProxy.issue(http, "grf_x").isSecure()).isTrue();
        // A forwarded header is no proof of anything: Granary trusts none.
        MockServerHttpRequest forwarded = MockServerHttpRequest.post("http://files.example.com/v1/auth/login")
                .header("X-Forwarded-Proto", "https").header("Forwarded", "proto=https").build();
        assertThat(plain.issue(forwarded, "grf_x").isSecure()).isFalse();
    }

    @Test
    void onlyGranarysOwnOriginMayUseTheCookie() {
        BrowserSessions sessions = new BrowserSessions(DAY, URI.create("https://files.example.com"));
        assertThat(sessions.requested(MockServerHttpRequest.post("http://10.0.0.5:8080/v1/auth/refresh").build())).isFalse();
        // The origin of the request itself (scheme, Host), default ports written or not, case aside.
        assertThat(sessions.requested(request("http://10.0.0.5:8080", "http://10.0.0.5:8080"))).isTrue();
        assertThat(sessions.requested(request("http://Granary.Example", "http://granary.example:80"))).isTrue();
        assertThat(sessions.requested(request("https://granary.example", "https://granary.example:443"))).isTrue();
        // The public URL's origin (a proxy in front), even when the request came in over http.
        assertThat(sessions.requested(request("http://10.0.0.5:8080", "https://files.example.com"))).isTrue();
        // No Origin at all (not a browser's cross-origin request): allowed.
        assertThat(sessions.requested(MockServerHttpRequest.post("http://10.0.0.5:8080/v1/auth/refresh")
                .header(BrowserSessions.HEADER, "Cookie").build())).isTrue();
        for (String foreign : new String[] {"http://files.example.com", "https://files.example.com:8443", "https://evil.example",
                "null", "http://10.0.0.5:8081", "https://10.0.0.5:8080", "http://10.0.0.5:8080/ui", "file://", "not a url"}) {
            assertThatThrownBy(() -> sessions.requested(request("http://10.0.0.5:8080", foreign))).as(foreign)
                    .isInstanceOfSatisfying(GranaryException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.ORIGIN_MISMATCH));
        }
        assertThatThrownBy(() -> sessions.requested(MockServerHttpRequest.post("http://10.0.0.5:8080/v1/auth/refresh")
                .header(BrowserSessions.HEADER, "body").build()))
                .isInstanceOfSatisfying(GranaryException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_REQUEST));
    }

    private static MockServerHttpRequest request(String base, String origin) {
        return MockServerHttpRequest.post(base + "/v1/auth/refresh").header(BrowserSessions.HEADER, "cookie")
                .header("Origin", origin).build();
    }
}
