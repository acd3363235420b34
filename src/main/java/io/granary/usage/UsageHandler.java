package io.granary.usage;

import io.granary.error.ErrorCode;
import io.granary.error.GranaryException;
import io.granary.security.Principal;
import io.granary.web.Requests;
import org.springframework.stereotype.Component;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;
import reactor.core.publisher.Mono;

/**
 * HTTP for {@code GET /v1/usage} (tenant keys; root names a tenant with {@code ?tenant=}) and
 * {@code POST /v1/usage/recount} (root and system admins; {@code ?tenant=} limits it to one).
 */
@Component
public class UsageHandler {

    private final UsageService usage;
    private final UsageRecount recount;

    UsageHandler(UsageService usage, UsageRecount recount) {
        this.usage = usage;
        this.recount = recount;
    }

    public Mono<ServerResponse> report(ServerRequest request) {
        Principal principal = Requests.principal(request);
        String tenant = request.queryParam("tenant").orElse(null);
        if (principal.system() && tenant == null) {
            return Mono.error(new GranaryException(ErrorCode.INVALID_REQUEST, "Name the tenant with ?tenant=<id>."));
        }
        return usage.report(principal, tenant).flatMap(report -> ServerResponse.ok().bodyValue(report));
    }

    public Mono<ServerResponse> recount(ServerRequest request) {
        return recount.onRequest(Requests.principal(request), request.queryParam("tenant").orElse(null))
                .flatMap(report -> ServerResponse.ok().bodyValue(report));
    }
}
