package io.granary.security;

import io.granary.security.jwt.JwtAuthenticator;
import java.util.List;
import org.springframework.http.HttpHeaders;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.authority.SimpleGrantedAuthority;
import org.springframework.security.core.context.ReactiveSecurityContextHolder;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;
import reactor.core.publisher.Mono;

/**
 * Lets system principals see the details of {@code /actuator/health}: a request to
 * {@code /actuator/**} carrying the root key or a system admin's JWT (as
 * {@code Authorization: Bearer} or {@code X-Api-Key}) runs with an authentication holding the
 * role {@value #ROLE}, which {@code management.endpoint.health.roles} asks for before showing
 * components and details. Every other caller, a wrong or expired credential included, gets the
 * status only and never an error: probes and load balancers send no credential, and a health
 * answer must not depend on the credential store working.
 */
@Component
class HealthDetailsFilter implements WebFilter {

    /** The role {@code application.yaml} names in {@code management.endpoint.health.roles}. */
    static final String ROLE = "GRANARY_SYSTEM";
    private static final String ACTUATOR = "/actuator/";

    private final RootKey rootKey;
    private final JwtAuthenticator jwts;

    HealthDetailsFilter(RootKey rootKey, JwtAuthenticator jwts) {
        this.rootKey = rootKey;
        this.jwts = jwts;
    }

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
        if (!exchange.getRequest().getPath().value().startsWith(ACTUATOR)) {
            return chain.filter(exchange);
        }
        HttpHeaders headers = exchange.getRequest().getHeaders();
        String credential = CredentialFilter.credential(headers.getFirst(CredentialFilter.API_KEY_HEADER),
                headers.getFirst(HttpHeaders.AUTHORIZATION));
        if (credential == null) {
            return chain.filter(exchange);
        }
        return systemActor(credential)
                .map(actor -> chain.filter(exchange).contextWrite(
                        ReactiveSecurityContextHolder.withAuthentication(authentication(actor))))
                .defaultIfEmpty(Mono.defer(() -> chain.filter(exchange)))
                .flatMap(filtered -> filtered);
    }

    /** The actor of a root key or system admin's JWT; empty for anything else. */
    private Mono<String> systemActor(String credential) {
        if (JwtAuthenticator.looksLikeJwt(credential)) {
            return jwts.authenticate(credential, null)
                    .filter(Principal::system)
                    .map(Principal::actor)
                    // A refused token is a caller without details, not a failed health check.
                    .onErrorResume(error -> Mono.empty());
        }
        return rootKey.matches(credential) ? Mono.just(new Principal.Root().actor()) : Mono.empty();
    }

    private static Authentication authentication(String actor) {
        return UsernamePasswordAuthenticationToken.authenticated(actor, null,
                List.of(new SimpleGrantedAuthority("ROLE_" + ROLE)));
    }
}
