package io.granary.apikey;

import io.granary.web.Requests;
import java.net.URI;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.stereotype.Component;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;
import reactor.core.publisher.Mono;

/** HTTP for {@code /v1/tenants/{tenantId}/keys}. */
@Component
public class ApiKeyHandler {

    private final ApiKeyService keys;

    ApiKeyHandler(ApiKeyService keys) {
        this.keys = keys;
    }

    public Mono<ServerResponse> create(ServerRequest request) {
        String tenantId = request.pathVariable("tenantId");
        return Requests.json(request, ApiKeyService.KeySpec.class)
                .flatMap(spec -> keys.create(Requests.principal(request), tenantId, spec))
                .flatMap(issued -> ServerResponse.created(URI.create("/v1/tenants/" + tenantId + "/keys/" + issued.key().id()))
                        .bodyValue(withSecret(issued)));
    }

    public Mono<ServerResponse> list(ServerRequest request) {
        String tenantId = request.pathVariable("tenantId");
        return keys.list(Requests.principal(request), tenantId).collectList().flatMap(all -> ServerResponse.ok().bodyValue(Map.of("keys", all)));
    }

    public Mono<ServerResponse> revoke(ServerRequest request) {
        String tenantId = request.pathVariable("tenantId");
        return keys.revoke(Requests.principal(request), tenantId, request.pathVariable("keyId")).then(ServerResponse.noContent().build());
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
