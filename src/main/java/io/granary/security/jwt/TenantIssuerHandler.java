package io.granary.security.jwt;

import io.granary.tenant.TenantService;
import io.granary.web.Requests;
import java.net.URI;
import java.util.Map;
import org.springframework.stereotype.Component;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;
import reactor.core.publisher.Mono;

/** HTTP for {@code /v1/tenants/{tenantId}/issuers}; {@code tenantId} may also be the tenant's name. */
@Component
public class TenantIssuerHandler {

    private final TenantIssuerService issuers;
    private final TenantService tenants;

    TenantIssuerHandler(TenantIssuerService issuers, TenantService tenants) {
        this.issuers = issuers;
        this.tenants = tenants;
    }

    public Mono<ServerResponse> register(ServerRequest request) {
        return Requests.json(request, TenantIssuerService.NewIssuer.class)
                .flatMap(body -> tenantId(request).flatMap(tenantId -> issuers.register(Requests.principal(request), tenantId, body)))
                .flatMap(saved -> ServerResponse.created(URI.create("/v1/tenants/" + saved.tenantId() + "/issuers/" + saved.id()))
                        .bodyValue(saved));
    }

    public Mono<ServerResponse> list(ServerRequest request) {
        return tenantId(request).flatMapMany(tenantId -> issuers.list(Requests.principal(request), tenantId)).collectList()
                .flatMap(all -> ServerResponse.ok().bodyValue(Map.of("issuers", all)));
    }

    public Mono<ServerResponse> remove(ServerRequest request) {
        return tenantId(request).flatMap(tenantId -> issuers.remove(Requests.principal(request), tenantId,
                        request.pathVariable("issuerId")))
                .then(ServerResponse.noContent().build());
    }

    /** The {@code {tenantId}} path variable, an id or a name, as the tenant's id. */
    private Mono<String> tenantId(ServerRequest request) {
        return tenants.idOf(request.pathVariable("tenantId"));
    }
}
