package io.granary.tenant;

import io.granary.security.Authorizer;
import io.granary.web.Requests;
import java.net.URI;
import java.util.Map;
import org.springframework.stereotype.Component;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;
import reactor.core.publisher.Mono;

/** HTTP for {@code /v1/tenants}: root-key only. */
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
        Authorizer.requireRoot(Requests.principal(request));
        return Requests.json(request, CreateTenant.class)
                .flatMap(body -> tenants.create(body.name()))
                .flatMap(t -> ServerResponse.created(URI.create("/v1/tenants/" + t.id())).bodyValue(t));
    }

    public Mono<ServerResponse> list(ServerRequest request) {
        Authorizer.requireRoot(Requests.principal(request));
        return tenants.list().collectList()
                .flatMap(all -> ServerResponse.ok().bodyValue(Map.of("tenants", all)));
    }

    public Mono<ServerResponse> get(ServerRequest request) {
        Authorizer.requireTenantAdmin(Requests.principal(request), request.pathVariable("tenantId"));
        return tenants.get(request.pathVariable("tenantId")).flatMap(t -> ServerResponse.ok().bodyValue(t));
    }

    public Mono<ServerResponse> delete(ServerRequest request) {
        Authorizer.requireRoot(Requests.principal(request));
        return tenants.delete(request.pathVariable("tenantId")).then(ServerResponse.noContent().build());
    }
}
