package io.granary.security.jwt;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.granary.auth.EmbeddedIssuer;
import io.granary.config.GranaryProperties;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.springframework.security.oauth2.jwt.NimbusReactiveJwtDecoder;
import org.springframework.security.oauth2.jwt.ReactiveJwtDecoder;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;

/**
 * Which issuers Granary trusts, found by a token's {@code iss}: the configured external issuers
 * and the embedded issuer (trusted for every tenant), then the issuers tenants registered
 * (trusted for that tenant only). Each has one decoder, which caches the issuer's keys.
 */
@Component
class TrustedIssuers {

    /**
     * An issuer Granary trusts.
     *
     * @param tenantId the tenant its tokens are confined to, or {@code null} for a global issuer
     * @param embedded whether it is Granary's own issuer (its subjects are dashboard users)
     */
    record Trust(ReactiveJwtDecoder decoder, String tenantId, boolean embedded) {
    }

    private final Map<String, Trust> configured = new LinkedHashMap<>();
    private final EmbeddedIssuer embeddedIssuer;
    private final JwtDecoderFactory decoders;
    private final TenantIssuerRepository tenantIssuers;
    private final AtomicReference<Trust> embedded = new AtomicReference<>();
    private final Cache<String, Trust> registered = Caffeine.newBuilder()
            .maximumSize(10_000).expireAfterAccess(Duration.ofHours(1)).build();

    TrustedIssuers(GranaryProperties properties, EmbeddedIssuer embeddedIssuer, JwtDecoderFactory decoders,
                   TenantIssuerRepository tenantIssuers) {
        this.embeddedIssuer = embeddedIssuer;
        this.decoders = decoders;
        this.tenantIssuers = tenantIssuers;
        for (GranaryProperties.Issuer issuer : properties.auth().issuers()) {
            if (issuer.issuerUri() == null) {
                throw new IllegalStateException("granary.auth.issuers[].issuer-uri is required");
            }
            String iss = issuer.issuerUri().toString();
            configured.put(iss, new Trust(decoders.remote(iss, issuer.jwkSetUri() == null ? null : issuer.jwkSetUri().toString(),
                    issuer.audience()), null, false));
        }
    }

    /** The trust for tokens claiming {@code iss}, or empty when Granary does not trust it. */
    Mono<Trust> find(String iss) {
        Trust global = configured.get(iss);
        if (global != null) {
            return Mono.just(global);
        }
        if (iss.equals(embeddedIssuer.issuer())) {
            return Mono.just(embedded());
        }
        return tenantIssuers.findByIssuer(iss).map(registration ->
                // Keyed by registration: removing and registering again starts with fresh keys.
                registered.get(registration.id(), id -> new Trust(decoders.remote(registration.issuer(),
                        registration.jwkSetUri(), registration.audience()), registration.tenantId(), false)));
    }

    /** Whether {@code iss} is a global issuer, which no tenant may claim for itself. */
    boolean isGlobal(String iss) {
        return configured.containsKey(iss) || iss.equals(embeddedIssuer.issuer());
    }

    private Trust embedded() {
        Trust trust = embedded.get();
        if (trust == null) {
            // Built on first use: the issuer identifier may depend on the server's port.
            NimbusReactiveJwtDecoder decoder = NimbusReactiveJwtDecoder
                    .withJwkSource(jwt -> embeddedIssuer.verificationKeys(jwt.getHeader().getKeyID()))
                    .build();
            decoder.setJwtValidator(decoders.validator(embeddedIssuer.issuer(), null));
            trust = new Trust(decoder, null, true);
            embedded.compareAndSet(null, trust);
        }
        return embedded.get();
    }
}
