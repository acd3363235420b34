package io.granary.user;

import io.granary.web.Requests;
import java.net.URI;
import io.granary.tenant.TenantService;
import java.util.Map;
import java.util.Optional;
import org.springframework.stereotype.Component;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;
import reactor.core.publisher.Mono;

/** HTTP for {@code /v1/users}; a tenant is named by its id or its name ({@code ?tenant=}, {@code tenantId}). */
@Component
public class UserHandler {

    private final UserService users;
    private final TenantService tenants;

    UserHandler(UserService users, TenantService tenants) {
        this.users = users;
        this.tenants = tenants;
    }

    public Mono<ServerResponse> create(ServerRequest request) {
        return Requests.json(request, UserService.NewUser.class)
                // 'tenantId' may name the tenant too.
                .flatMap(body -> tenants.idOf(body.tenantId()).map(body::inTenant).defaultIfEmpty(body))
                .flatMap(body -> users.create(Requests.principal(request), body))
                .flatMap(user -> ServerResponse.created(URI.create("/v1/users/" + user.id())).bodyValue(user));
    }

    public Mono<ServerResponse> list(ServerRequest request) {
        // Only system principals choose the tenant; for others the parameter is ignored, unread.
        Mono<String> tenant = Requests.principal(request).system()
                ? tenants.idOf(request.queryParam("tenant").orElse(null)) : Mono.empty();
        return tenant.map(Optional::of).defaultIfEmpty(Optional.empty())
                .flatMapMany(tenantId -> users.list(Requests.principal(request), tenantId.orElse(null))).collectList()
                .flatMap(all -> ServerResponse.ok().bodyValue(Map.of("users", all)));
    }

    public Mono<ServerResponse> get(ServerRequest request) {
        return users.get(Requests.principal(request), request.pathVariable("userId"))
                .flatMap(user -> ServerResponse.ok().bodyValue(user));
    }

    public Mono<ServerResponse> update(ServerRequest request) {
        return Requests.jsonObject(request)
                .flatMap(patch -> users.update(Requests.principal(request), request.pathVariable("userId"), patch))
                .flatMap(user -> ServerResponse.ok().bodyValue(user));
    }

    public Mono<ServerResponse> delete(ServerRequest request) {
        return users.delete(Requests.principal(request), request.pathVariable("userId"))
                .then(ServerResponse.noContent().build());
    }
}
