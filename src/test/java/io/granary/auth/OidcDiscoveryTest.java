package io.granary.auth;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Discovery of the dashboard's OIDC provider: read once and kept; a document that cannot be
 * fetched in time or does not fit yields no provider (never an error), and is asked again later.
 */
class OidcDiscoveryTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(2);

    private HttpServer server;
    private String issuer;
    private final AtomicInteger fetches = new AtomicInteger();
    private final AtomicReference<String> document = new AtomicReference<>();
    private final AtomicInteger status = new AtomicInteger(200);
    private final AtomicReference<Duration> delay = new AtomicReference<>(Duration.ZERO);

    /**
     * The HTTP client's first request in a fresh JVM takes seconds (class loading): done once
     * here, so the timeouts below measure the provider, not the test JVM's start.
     */
    @BeforeAll
    static void warmUp() throws IOException {
        OidcDiscoveryTest warm = new OidcDiscoveryTest();
        warm.provider();
        try {
            new OidcDiscovery(URI.create(warm.issuer), Duration.ofSeconds(60), Duration.ofHours(1), Duration.ofMinutes(1))
                    .endpoints().block();
        } finally {
            warm.stop();
        }
    }

    @BeforeEach
    void provider() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        issuer = "http://127.0.0.1:" + server.getAddress().getPort() + "/realms/corp";
        server.createContext("/realms/corp/.well-known/openid-configuration", exchange -> {
            fetches.incrementAndGet();
            try {
                Thread.sleep(delay.get().toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            byte[] body = document.get().getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.sendResponseHeaders(status.get(), body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        // A thread per request: a slow answer must not hold up the next one.
        server.setExecutor(Executors.newCachedThreadPool());
        server.start();
        document.set(doc(issuer, ""));
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    private static String doc(String iss, String extra) {
        return "{\"issuer\":\"" + iss + "\",\"authorization_endpoint\":\"" + iss + "/protocol/openid-connect/auth\","
                + "\"token_endpoint\":\"" + iss + "/protocol/openid-connect/token\",\"jwks_uri\":\"" + iss + "/certs\"" + extra + "}";
    }

    private OidcDiscovery discovery(Duration retryAfter) {
        return new OidcDiscovery(URI.create(issuer), TIMEOUT, Duration.ofHours(1), retryAfter);
    }

    @Test
    void theEndpointsAreReadOnceAndKept() {
        OidcDiscovery discovery = discovery(Duration.ofMinutes(1));
        OidcDiscovery.Endpoints endpoints = discovery.endpoints().block();
        assertThat(endpoints.authorizationEndpoint()).isEqualTo(issuer + "/protocol/openid-connect/auth");
        assertThat(endpoints.tokenEndpoint()).isEqualTo(issuer + "/protocol/openid-connect/token");
        assertThat(discovery.endpoints().block()).isEqualTo(endpoints);
        assertThat(fetches).hasValue(1);
        // Declared PKCE methods must include S256; absent, they are not held against the provider.
        document.set(doc(issuer, ",\"code_challenge_methods_supported\":[\"plain\",\"S256\"]"));
        assertThat(discovery(Duration.ofMinutes(1)).endpoints().block()).isEqualTo(endpoints);
    }

    @Test
    void aDocumentThatDoesNotFitYieldsNoProvider() {
        for (String bad : new String[] {
                doc(issuer + "/other", ""),
                doc(issuer, ",\"code_challenge_methods_supported\":[\"plain\"]"),
                "{\"issuer\":\"" + issuer + "\",\"token_endpoint\":\"" + issuer + "/token\"}",
                "{\"issuer\":\"" + issuer + "\",\"authorization_endpoint\":\"javascript:alert(1)\",\"token_endpoint\":\"" + issuer + "/t\"}",
                "[1, 2, 3]",
                "not json at all"}) {
            document.set(bad);
            assertThat(discovery(Duration.ofMinutes(1)).endpoints().blockOptional()).as(bad).isEmpty();
        }
        document.set(doc(issuer, ""));
        status.set(500);
        assertThat(discovery(Duration.ofMinutes(1)).endpoints().blockOptional()).isEmpty();
    }

    @Test
    void aProviderThatIsDownOrSlowYieldsNothingInTimeAndIsAskedAgainLater() throws Exception {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        OidcDiscovery unreachable = new OidcDiscovery(URI.create("http://127.0.0.1:" + closedPort), TIMEOUT, Duration.ofHours(1),
                Duration.ofMinutes(1));
        assertThat(unreachable.endpoints().blockOptional(Duration.ofSeconds(10))).isEmpty();

        delay.set(TIMEOUT.multipliedBy(3));
        OidcDiscovery discovery = discovery(Duration.ofMillis(300));
        long started = System.nanoTime();
        assertThat(discovery.endpoints().blockOptional(Duration.ofSeconds(10))).isEmpty();
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(TIMEOUT.multipliedBy(3));
        // Within the retry delay, the failure is remembered: no new fetch.
        assertThat(discovery.endpoints().blockOptional(Duration.ofSeconds(10))).isEmpty();
        assertThat(fetches).hasValue(1);
        // Afterwards it is tried again, and found once the provider answers.
        delay.set(Duration.ZERO);
        Thread.sleep(400);
        assertThat(discovery.endpoints().block(Duration.ofSeconds(10))).isNotNull();
        assertThat(fetches).hasValue(2);
    }
}
