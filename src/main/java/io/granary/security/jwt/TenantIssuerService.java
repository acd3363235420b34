package io.granary.security.jwt;

import io.granary.audit.AuditEventType;
import io.granary.audit.AuditLog;
import io.granary.common.Ids;
import io.granary.config.GranaryProperties;
import io.granary.error.ErrorCode;
import io.granary.error.GranaryException;
import io.granary.security.Authorizer;
import io.granary.security.Principal;
import io.granary.tenant.TenantService;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.net.URISyntaxException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import org.springframework.stereotype.Service;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * A tenant's own trusted issuers, managed by its admins. Global issuers (configured or the
 * embedded one) cannot be registered, and an issuer serves one tenant at most. Granary fetches
 * keys from these URLs on behalf of anyone who sends a token naming the issuer, so they must be
 * HTTPS and resolve to public addresses only (no loopback, private, link-local or metadata
 * addresses), unless {@code granary.auth.allow-insecure-tenant-issuers} is set (tests, labs).
 * The address check is made at registration; DNS answers that change later are not re-checked.
 */
@Service
public class TenantIssuerService {

    /** Body of {@code POST /v1/tenants/{id}/issuers}. */
    public record NewIssuer(String issuer, String jwkSetUri, String audience) {
    }

    private final TenantIssuerRepository repository;
    private final TrustedIssuers trusted;
    private final TenantService tenants;
    private final AuditLog audit;
    private final GranaryProperties.Auth settings;

    TenantIssuerService(TenantIssuerRepository repository, TrustedIssuers trusted, TenantService tenants, AuditLog audit,
                        GranaryProperties properties) {
        this.repository = repository;
        this.trusted = trusted;
        this.tenants = tenants;
        this.audit = audit;
        this.settings = properties.auth();
    }

    public Mono<TenantIssuer> register(Principal principal, String tenantId, NewIssuer request) {
        Authorizer.requireTenantAdmin(principal, tenantId);
        String issuer = url(request.issuer(), "issuer");
        String jwkSetUri = request.jwkSetUri() == null ? null : url(request.jwkSetUri(), "jwkSetUri");
        String audience = request.audience() == null ? settings.audience() : request.audience();
        if (audience.isBlank() || audience.length() > 256) {
            throw new GranaryException(ErrorCode.INVALID_REQUEST, "'audience' must be 1-256 characters.");
        }
        if (trusted.isGlobal(issuer)) {
            throw new GranaryException(ErrorCode.ISSUER_EXISTS, "This issuer is trusted for all tenants already.");
        }
        return publicAddresses(issuer).then(jwkSetUri == null ? Mono.empty() : publicAddresses(jwkSetUri))
                .then(tenants.get(tenantId))
                .then(repository.insert(new TenantIssuer(Ids.newId(), tenantId, issuer, jwkSetUri, audience,
                        Instant.now().truncatedTo(ChronoUnit.MILLIS))))
                .flatMap(saved -> audit.record(principal, tenantId, AuditEventType.ISSUER_REGISTERED,
                        "issuer:" + saved.id(), Map.of("issuer", issuer)).thenReturn(saved));
    }

    public Flux<TenantIssuer> list(Principal principal, String tenantId) {
        Authorizer.requireTenantAdmin(principal, tenantId);
        return repository.findByTenant(tenantId);
    }

    public Mono<Void> remove(Principal principal, String tenantId, String id) {
        Authorizer.requireTenantAdmin(principal, tenantId);
        return repository.delete(tenantId, id)
                .flatMap(removed -> removed
                        ? audit.record(principal, tenantId, AuditEventType.ISSUER_REMOVED, "issuer:" + id, Map.of())
                        : Mono.error(new GranaryException(ErrorCode.ISSUER_NOT_FOUND, "No trusted issuer '" + id + "'.")));
    }

    /** Fails unless every address the URL's host resolves to is a public one (see the class comment). */
    private Mono<Void> publicAddresses(String url) {
        if (settings.allowInsecureTenantIssuers()) {
            return Mono.empty();
        }
        String host = URI.create(url).getHost();
        return Mono.fromCallable(() -> InetAddress.getAllByName(host))
                .subscribeOn(Schedulers.boundedElastic()) // DNS resolution blocks
                .onErrorMap(UnknownHostException.class, e -> new GranaryException(ErrorCode.INVALID_REQUEST,
                        "The host '" + host + "' does not resolve."))
                .flatMap(addresses -> {
                    for (InetAddress address : addresses) {
                        if (!isPublic(address)) {
                            return Mono.error(new GranaryException(ErrorCode.INVALID_REQUEST, "The host '" + host
                                    + "' resolves to a non-public address; issuers must be reachable on the internet."));
                        }
                    }
                    return Mono.empty();
                });
    }

    static boolean isPublic(InetAddress address) {
        byte[] bytes = address.getAddress();
        boolean uniqueLocalV6 = bytes.length == 16 && (bytes[0] & 0xfe) == 0xfc; // fc00::/7
        boolean sharedV4 = bytes.length == 4 && (bytes[0] & 0xff) == 100 && (bytes[1] & 0xc0) == 64; // 100.64.0.0/10
        return !(address.isLoopbackAddress() || address.isSiteLocalAddress() || address.isLinkLocalAddress()
                || address.isAnyLocalAddress() || address.isMulticastAddress() || uniqueLocalV6 || sharedV4);
    }

    private String url(String value, String field) {
        URI uri;
        try {
            uri = value == null || value.length() > 512 ? null : new URI(value);
        } catch (URISyntaxException e) {
            uri = null;
        }
        boolean schemeOk = uri != null && ("https".equals(uri.getScheme())
                || settings.allowInsecureTenantIssuers() && "http".equals(uri.getScheme()));
        if (!schemeOk || uri.getHost() == null || uri.getUserInfo() != null || uri.getQuery() != null || uri.getFragment() != null) {
            throw new GranaryException(ErrorCode.INVALID_REQUEST, "'" + field + "' must be an absolute "
                    + (settings.allowInsecureTenantIssuers() ? "HTTP(S)" : "HTTPS") + " URL without query or credentials.");
        }
        return value;
    }
}
