package io.granary.auth;

import io.granary.config.GranaryProperties;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;

/**
 * The public document of {@code GET /v1/auth/providers}: which logins the dashboard may offer.
 * {@code password} is the embedded issuer's user name and password login (always on: the first
 * system admin logs in with it); {@code oidc} lists the configured provider
 * ({@link UiOidcProperties}) while its discovery works, and is empty otherwise.
 */
@Component
public class LoginProviders {

    /** The document. */
    public record Document(boolean password, List<OidcProvider> oidc) {
    }

    /** What the browser needs for the authorization-code flow with PKCE at one provider. */
    public record OidcProvider(String name, String issuer, String authorizationEndpoint, String tokenEndpoint, String clientId,
                        String scopes) {
    }

    static final Duration DISCOVERY_TIMEOUT = Duration.ofSeconds(5);
    static final Duration DISCOVERY_KEPT = Duration.ofHours(1);
    static final Duration DISCOVERY_RETRY = Duration.ofSeconds(30);
    private static final Logger log = LoggerFactory.getLogger(LoginProviders.class);

    private final UiOidcProperties oidc;
    private final OidcDiscovery discovery;

    LoginProviders(UiOidcProperties oidc, GranaryProperties properties) {
        this.oidc = oidc;
        this.discovery = oidc.configured()
                ? new OidcDiscovery(oidc.issuer(), DISCOVERY_TIMEOUT, DISCOVERY_KEPT, DISCOVERY_RETRY) : null;
        if (oidc.configured() && properties.auth().issuers().stream()
                .noneMatch(trusted -> Objects.equals(trusted.issuerUri(), oidc.issuer()))) {
            // Not a mistake for certain (a tenant may register it), but the likely cause of
            // "the login works and then every request is 401".
            log.warn("granary.ui.oidc.issuer {} is not among granary.auth.issuers: its tokens are accepted only if a tenant "
                    + "registered it as its own issuer", oidc.issuer());
        }
    }

    /** Discovers the provider once the server is up, so a misconfiguration shows in the log at start. */
    @EventListener(ApplicationReadyEvent.class)
    void discoverEarly() {
        if (discovery != null) {
            discovery.endpoints().subscribe();
        }
    }

    /** The document as it stands: the provider only while its discovery works. */
    public Mono<Document> document() {
        if (discovery == null) {
            return Mono.just(new Document(true, List.of()));
        }
        return discovery.endpoints()
                .map(endpoints -> List.of(new OidcProvider(oidc.displayName(), oidc.issuer().toString(),
                        endpoints.authorizationEndpoint(), endpoints.tokenEndpoint(), oidc.clientId(), oidc.scopes())))
                .defaultIfEmpty(List.of())
                .map(providers -> new Document(true, providers));
    }
}
