package io.granary.auth;

import io.netty.channel.ChannelOption;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.http.MediaType;
import org.springframework.http.client.reactive.ReactorClientHttpConnector;
import org.springframework.web.reactive.function.client.WebClient;
import reactor.core.publisher.Mono;
import reactor.netty.http.client.HttpClient;

/**
 * The endpoints of one OIDC provider, read from its discovery document
 * ({@code <issuer>/.well-known/openid-configuration}) on first use, with timeouts, and kept for
 * {@code keepFor}. A provider whose document cannot be fetched or does not fit (another
 * {@code issuer}, no authorization or token endpoint, PKCE without S256) yields nothing, with a
 * WARN, and is asked again after {@code retryAfter}: the dashboard then offers no login with it,
 * and nothing else fails.
 */
class OidcDiscovery {

    /** The endpoints a browser needs for the authorization-code flow. */
    record Endpoints(String authorizationEndpoint, String tokenEndpoint) {
    }

    private static final Logger log = LoggerFactory.getLogger(OidcDiscovery.class);
    private static final ParameterizedTypeReference<Map<String, Object>> JSON = new ParameterizedTypeReference<>() { };

    private final String issuer;
    private final Duration timeout;
    private final Duration retryAfter;
    private final WebClient web;
    private final Mono<Endpoints> cached;

    OidcDiscovery(URI issuer, Duration timeout, Duration keepFor, Duration retryAfter) {
        this.issuer = issuer.toString();
        this.timeout = timeout;
        this.retryAfter = retryAfter;
        this.web = WebClient.builder()
                .clientConnector(new ReactorClientHttpConnector(HttpClient.create()
                        .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) timeout.toMillis())
                        .responseTimeout(timeout)))
                .codecs(codecs -> codecs.defaultCodecs().maxInMemorySize(256 * 1024))
                .build();
        // Concurrent callers share one fetch; a failure (empty) is kept for retryAfter, so a
        // provider that is down costs one timeout per retryAfter, not one per login page.
        this.cached = Mono.defer(this::fetch).cache(found -> keepFor, error -> Duration.ZERO, () -> retryAfter);
    }

    /** The provider's endpoints, or empty while its discovery fails. */
    Mono<Endpoints> endpoints() {
        return cached;
    }

    private Mono<Endpoints> fetch() {
        String base = issuer.endsWith("/") ? issuer.substring(0, issuer.length() - 1) : issuer;
        return web.get().uri(URI.create(base + "/.well-known/openid-configuration")).accept(MediaType.APPLICATION_JSON)
                .retrieve().bodyToMono(JSON)
                // Connecting and each wait for an answer are bounded by the client; this bounds the
                // whole, with room for the client's first use in a fresh JVM (class loading).
                .timeout(timeout.multipliedBy(3))
                .map(this::endpointsOf)
                .onErrorResume(error -> {
                    log.warn("The dashboard's OIDC login with {} is not offered: its discovery document could not be used ({}); "
                            + "trying again in {}s", issuer, error.toString(), retryAfter.toSeconds());
                    return Mono.empty();
                });
    }

    private Endpoints endpointsOf(Map<String, Object> document) {
        if (!issuer.equals(document.get("issuer"))) {
            throw new IllegalStateException("it names the issuer " + document.get("issuer"));
        }
        if (document.get("code_challenge_methods_supported") instanceof List<?> methods && !methods.contains("S256")) {
            throw new IllegalStateException("it does not support PKCE with S256");
        }
        return new Endpoints(url(document, "authorization_endpoint"), url(document, "token_endpoint"));
    }

    private static String url(Map<String, Object> document, String field) {
        if (document.get(field) instanceof String value && Origins.of(parse(value)) != null) {
            return value;
        }
        throw new IllegalStateException("it has no http(s) " + field);
    }

    private static URI parse(String value) {
        try {
            return URI.create(value);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}
