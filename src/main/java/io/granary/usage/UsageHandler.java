package io.granary.usage;

import io.granary.error.ErrorCode;
import io.granary.error.GranaryException;
import io.granary.security.Principal;
import io.granary.tenant.TenantService;
import io.granary.web.Requests;
import java.util.Optional;
import org.springframework.stereotype.Component;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;
import reactor.core.publisher.Mono;

/**
 * HTTP for {@code GET /v1/usage} (tenant keys; root names a tenant with {@code ?tenant=<id or name>}),
 * {@code GET /v1/usage/history?from=&to=&bucket=} (the same callers; {@code tenant} likewise) and
 * {@code POST /v1/usage/recount} (root and system admins; {@code ?tenant=<id or name>} limits it to one).
 */
@Component
public class UsageHandler {

    private final UsageService usage;
    private final TenantService tenants;
    private final UsageRecount recount;
    private final UsageHistoryService history;

    UsageHandler(UsageService usage, TenantService tenants, UsageRecount recount, UsageHistoryService history) {
        this.usage = usage;
        this.tenants = tenants;
        this.recount = recount;
        this.history = history;
    }

    public Mono<ServerResponse> report(ServerRequest request) {
        Principal principal = Requests.principal(request);
        String tenant = request.queryParam("tenant").orElse(null);
        if (principal.system() && tenant == null) {
            return Mono.error(new GranaryException(ErrorCode.INVALID_REQUEST, "Name the tenant with ?tenant=<id or name>."));
        }
        // Others always get their own tenant's report; their ?tenant= is not even looked up.
        Mono<String> tenantId = principal.system() ? tenants.idOf(tenant) : Mono.justOrEmpty(tenant);
        return tenantId.defaultIfEmpty("")
                .flatMap(id -> usage.report(principal, id.isEmpty() ? null : id))
                .flatMap(report -> ServerResponse.ok().bodyValue(report));
    }

    public Mono<ServerResponse> history(ServerRequest request) {
        Principal principal = Requests.principal(request);
        String tenant = request.queryParam("tenant").orElse(null);
        if (principal.system() && tenant == null) {
            return Mono.error(new GranaryException(ErrorCode.INVALID_REQUEST, "Name the tenant with ?tenant=<id or name>."));
        }
        HistoryRange range = HistoryRange.parse(request.queryParam("from").orElse(null),
                request.queryParam("to").orElse(null), history.today());
        String bucket = request.queryParam("bucket").orElse(null);
        // As for the report: only system principals name the tenant; others' ?tenant= is not looked up.
        Mono<String> tenantId = principal.system() ? tenants.idOf(tenant) : Mono.just("");
        return tenantId.flatMap(id -> history.history(principal, principal.system() ? id : null, bucket, range))
                .flatMap(answer -> ServerResponse.ok().bodyValue(answer));
    }

    public Mono<ServerResponse> recount(ServerRequest request) {
        Principal principal = Requests.principal(request);
        String tenant = request.queryParam("tenant").orElse(null);
        // A name is resolved for system principals only: others are refused before any lookup.
        Mono<String> tenantId = tenant != null && principal.system() ? tenants.idOf(tenant) : Mono.justOrEmpty(tenant);
        return tenantId.map(Optional::of).defaultIfEmpty(Optional.empty())
                .flatMap(id -> recount.onRequest(principal, id.orElse(null)))
                .flatMap(report -> ServerResponse.ok().bodyValue(report));
    }
}
