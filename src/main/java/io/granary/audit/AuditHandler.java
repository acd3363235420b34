package io.granary.audit;

import io.granary.web.Requests;
import io.granary.tenant.TenantService;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.springframework.stereotype.Component;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;
import reactor.core.publisher.Mono;

/**
 * HTTP for {@code GET /v1/audit?since=&until=&type=&actor=&bucket=&tenant=&cursor=&limit=};
 * {@code tenant} is an id or a name.
 */
@Component
public class AuditHandler {

    private final AuditLog audit;
    private final TenantService tenants;

    AuditHandler(AuditLog audit, TenantService tenants) {
        this.audit = audit;
        this.tenants = tenants;
    }

    public Mono<ServerResponse> query(ServerRequest request) {
        int limit = Requests.intParam(request, "limit", 100, 1, AuditLog.MAX_LIMIT);
        // Only system principals choose the tenant; for others the parameter is ignored, unread.
        Mono<String> tenant = Requests.principal(request).system()
                ? tenants.idOf(request.queryParam("tenant").orElse(null)) : Mono.empty();
        return tenant.map(Optional::of).defaultIfEmpty(Optional.empty())
                .flatMap(tenantId -> audit.query(Requests.principal(request), tenantId.orElse(null), filter(request),
                        request.queryParam("cursor").filter(cursor -> !cursor.isEmpty()).orElse(null), limit))
                .flatMap(page -> {
                    Map<String, Object> body = new LinkedHashMap<>();
                    body.put("events", page.events());
                    body.put("nextCursor", page.nextCursor());
                    return ServerResponse.ok().bodyValue(body);
                });
    }

    private static AuditFilter filter(ServerRequest request) {
        return AuditFilter.parse(param(request, "since"), param(request, "until"), param(request, "type"),
                param(request, "actor"), param(request, "bucket"));
    }

    private static String param(ServerRequest request, String name) {
        return request.queryParam(name).orElse(null);
    }
}
