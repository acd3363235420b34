package io.granary.apikey;

import io.granary.tenant.TenantService;
import io.granary.web.Requests;
import java.net.URI;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.stereotype.Component;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;
import reactor.core.publisher.Mono;

/** HTTP for {@code /v1/tenants/{tenantId}/keys}; {@code tenantId} may also be the tenant's name. */
@Component
public class ApiKeyHandler {

    private final ApiKeyService keys;
    private final TenantService tenants;

    ApiKeyHandler(ApiKeyService keys, TenantService tenants) {
        this.keys = keys;
        this.tenants = tenants;
    }

    public Mono<ServerResponse> create(ServerRequest request) {
        return Requests.json(request, ApiKeyService.KeySpec.class)
                .flatMap(spec -> tenantId(request).flatMap(tenantId -> keys.create(Requests.principal(request), tenantId, spec)))
                .flatMap(issued -> ServerResponse.created(URI.create("/v1/tenants/" + issued.key().tenantId() + "/keys/"
                                + issued.key().id()))
                        .bodyValue(withSecret(issued)));
    }

    public Mono<ServerResponse> list(ServerRequest request) {
        return tenantId(request).flatMapMany(tenantId -> keys.list(Requests.principal(request), tenantId)).collectList()
                .flatMap(all -> ServerResponse.ok().bodyValue(Map.of("keys", all)));
    }

    public Mono<ServerResponse> revoke(ServerRequest request) {
        return tenantId(request).flatMap(tenantId -> keys.revoke(Requests.principal(request), tenantId,
                        request.pathVariable("keyId")))
                .then(ServerResponse.noContent().build());
    }

    /** The {@code {tenantId}} path variable, an id or a name, as the tenant's id. */
    private Mono<String> tenantId(ServerRequest request) {
        return tenants.idOf(request.pathVariable("tenantId"));
    }

    private static Map<String, Object> withSecret(IssuedKey issued) {
        ApiKey key = issued.key();
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("id", key.id());
        body.put("secret", issued.secret());
        body.put("tenantId", key.tenantId());
        body.put("name", key.name());
        body.put("permissions", key.permissions());
        body.put("buckets", key.buckets());
        body.put("expiresAt", key.expiresAt());
        body.put("requestsPerSecond", key.requestsPerSecond());
        body.put("createdAt", key.createdAt());
        return body;
    }
}
