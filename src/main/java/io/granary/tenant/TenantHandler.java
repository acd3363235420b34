package io.granary.tenant;

import io.granary.web.Requests;
import java.net.URI;
import java.util.Map;
import org.springframework.stereotype.Component;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;
import reactor.core.publisher.Mono;

/** HTTP for {@code /v1/tenants}. */
@Component
public class TenantHandler {

    /** Body of {@code POST /v1/tenants}. */
    record CreateTenant(String name) {
    }

    private final TenantService tenants;

    TenantHandler(TenantService tenants) {
        this.tenants = tenants;
    }

    public Mono<ServerResponse> create(ServerRequest request) {
        return Requests.json(request, CreateTenant.class)
                .flatMap(body -> tenants.create(Requests.principal(request), body.name()))
                .flatMap(t -> ServerResponse.created(URI.create("/v1/tenants/" + t.id())).bodyValue(t));
    }

    public Mono<ServerResponse> list(ServerRequest request) {
        return tenants.list(Requests.principal(request)).collectList()
                .flatMap(all -> ServerResponse.ok().bodyValue(Map.of("tenants", all)));
    }

    public Mono<ServerResponse> get(ServerRequest request) {
        return tenantId(request).flatMap(id -> tenants.get(Requests.principal(request), id))
                .flatMap(t -> ServerResponse.ok().bodyValue(t));
    }

    public Mono<ServerResponse> update(ServerRequest request) {
        return Requests.jsonObject(request)
                .flatMap(patch -> tenantId(request).flatMap(id -> tenants.updateQuotas(Requests.principal(request), id, patch)))
                .flatMap(t -> ServerResponse.ok().bodyValue(t));
    }

    public Mono<ServerResponse> delete(ServerRequest request) {
        return tenantId(request).flatMap(id -> tenants.delete(Requests.principal(request), id))
                .then(ServerResponse.noContent().build());
    }

    /** The {@code {tenantId}} path variable, an id or a name, as the tenant's id. */
    private Mono<String> tenantId(ServerRequest request) {
        return tenants.idOf(request.pathVariable("tenantId"));
    }
}
