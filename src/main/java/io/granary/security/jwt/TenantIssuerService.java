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
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import org.springframework.stereotype.Service;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * A tenant's own trusted issuers, managed by its admins. Global issuers (configured or the
 * embedded one) cannot be registered, and an issuer serves one tenant at most. Issuer and key
 * URLs must be HTTPS unless {@code granary.auth.allow-http-tenant-issuers} is set.
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
        return tenants.get(tenantId)
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

    private String url(String value, String field) {
        URI uri;
        try {
            uri = value == null || value.length() > 512 ? null : new URI(value);
        } catch (URISyntaxException e) {
            uri = null;
        }
        boolean schemeOk = uri != null && ("https".equals(uri.getScheme())
                || settings.allowHttpTenantIssuers() && "http".equals(uri.getScheme()));
        if (!schemeOk || uri.getHost() == null || uri.getUserInfo() != null || uri.getQuery() != null || uri.getFragment() != null) {
            throw new GranaryException(ErrorCode.INVALID_REQUEST, "'" + field + "' must be an absolute "
                    + (settings.allowHttpTenantIssuers() ? "HTTP(S)" : "HTTPS") + " URL without query or credentials.");
        }
        return value;
    }
}
