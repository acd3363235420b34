package io.granary.security.jwt;

import io.granary.config.GranaryProperties;
import io.netty.channel.ChannelOption;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import org.springframework.http.client.reactive.ReactorClientHttpConnector;
import org.springframework.security.oauth2.core.DelegatingOAuth2TokenValidator;
import org.springframework.security.oauth2.jose.jws.SignatureAlgorithm;
import org.springframework.security.oauth2.core.OAuth2TokenValidator;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.jwt.JwtAudienceValidator;
import org.springframework.security.oauth2.jwt.JwtClaimValidator;
import org.springframework.security.oauth2.jwt.JwtIssuerValidator;
import org.springframework.security.oauth2.jwt.JwtTimestampValidator;
import org.springframework.security.oauth2.jwt.NimbusReactiveJwtDecoder;
import org.springframework.security.oauth2.jwt.ReactiveJwtDecoder;
import org.springframework.stereotype.Component;
import org.springframework.web.reactive.function.client.WebClient;
import reactor.netty.http.client.HttpClient;

/**
 * Builds the resource-server decoders (Spring Security's Nimbus decoder): RS256/ES256 signatures
 * from the issuer's JWK set only (so {@code alg: none} and HMAC tokens are refused), then the
 * same checks for every issuer: {@code exp} required and {@code nbf} honoured with a small skew,
 * the exact issuer, and the audience.
 */
@Component
class JwtDecoderFactory {

    private static final Duration FETCH_TIMEOUT = Duration.ofSeconds(5);

    private final GranaryProperties.Auth settings;
    private final WebClient webClient = WebClient.builder()
            .clientConnector(new ReactorClientHttpConnector(HttpClient.create()
                    .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) FETCH_TIMEOUT.toMillis())
                    .responseTimeout(FETCH_TIMEOUT)))
            .build();

    JwtDecoderFactory(GranaryProperties properties) {
        this.settings = properties.auth();
    }

    /**
     * A decoder for {@code issuer}'s tokens, fetching its keys from {@code jwkSetUri}, or, when
     * that is {@code null}, from the {@code jwks_uri} of its OIDC discovery document.
     */
    ReactiveJwtDecoder remote(String issuer, String jwkSetUri, String audience) {
        NimbusReactiveJwtDecoder decoder = (jwkSetUri != null
                ? NimbusReactiveJwtDecoder.withJwkSetUri(jwkSetUri)
                : NimbusReactiveJwtDecoder.withIssuerLocation(issuer))
                .jwsAlgorithms(algorithms -> algorithms.addAll(List.of(
                        SignatureAlgorithm.RS256, SignatureAlgorithm.ES256)))
                .webClient(webClient)
                .build();
        decoder.setJwtValidator(validator(issuer, audience));
        return decoder;
    }

    /** The checks every accepted token passes, whoever signed it. */
    OAuth2TokenValidator<Jwt> validator(String issuer, String audience) {
        JwtTimestampValidator times = new JwtTimestampValidator(settings.clockSkew());
        times.setAllowEmptyExpiryClaim(false);
        return new DelegatingOAuth2TokenValidator<>(
                times,
                new JwtIssuerValidator(issuer),
                new JwtAudienceValidator(audience != null ? audience : settings.audience()),
                new JwtClaimValidator<Object>("sub", Objects::nonNull));
    }
}
