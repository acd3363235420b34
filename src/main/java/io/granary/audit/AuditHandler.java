package io.granary.audit;

import io.granary.web.Requests;
import java.util.Map;
import org.springframework.stereotype.Component;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;
import reactor.core.publisher.Mono;

/** HTTP for {@code GET /v1/audit?since=&type=&tenant=&limit=}. */
@Component
public class AuditHandler {

    private final AuditLog audit;

    AuditHandler(AuditLog audit) {
        this.audit = audit;
    }

    public Mono<ServerResponse> query(ServerRequest request) {
        int limit = Requests.intParam(request, "limit", 100, 1, AuditLog.MAX_LIMIT);
        return audit.query(Requests.principal(request), request.queryParam("tenant").orElse(null),
                        request.queryParam("since").orElse(null), request.queryParam("type").orElse(null), limit)
                .collectList()
                .flatMap(events -> ServerResponse.ok().bodyValue(Map.of("events", events)));
    }
}
