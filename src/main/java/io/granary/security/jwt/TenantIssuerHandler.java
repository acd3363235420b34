package io.granary.security.jwt;

import io.granary.web.Requests;
import java.net.URI;
import java.util.Map;
import org.springframework.stereotype.Component;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;
import reactor.core.publisher.Mono;

/** HTTP for {@code /v1/tenants/{tenantId}/issuers}. */
@Component
public class TenantIssuerHandler {

    private final TenantIssuerService issuers;

    TenantIssuerHandler(TenantIssuerService issuers) {
        this.issuers = issuers;
    }

    public Mono<ServerResponse> register(ServerRequest request) {
        String tenantId = request.pathVariable("tenantId");
        return Requests.json(request, TenantIssuerService.NewIssuer.class)
                .flatMap(body -> issuers.register(Requests.principal(request), tenantId, body))
                .flatMap(saved -> ServerResponse.created(URI.create("/v1/tenants/" + tenantId + "/issuers/" + saved.id()))
                        .bodyValue(saved));
    }

    public Mono<ServerResponse> list(ServerRequest request) {
        return issuers.list(Requests.principal(request), request.pathVariable("tenantId")).collectList()
                .flatMap(all -> ServerResponse.ok().bodyValue(Map.of("issuers", all)));
    }

    public Mono<ServerResponse> remove(ServerRequest request) {
        return issuers.remove(Requests.principal(request), request.pathVariable("tenantId"), request.pathVariable("issuerId"))
                .then(ServerResponse.noContent().build());
    }
}
