package io.granary.auth;

import io.granary.web.Requests;
import java.util.Map;
import org.springframework.http.CacheControl;
import org.springframework.stereotype.Component;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;
import reactor.core.publisher.Mono;

/**
 * HTTP for the caller's own sessions ({@link AccountSessions}): {@code GET /v1/auth/sessions},
 * {@code DELETE /v1/auth/sessions/{sessionId}} and {@code DELETE /v1/auth/sessions} (every
 * session but the caller's). Unlike the rest of {@code /v1/auth} these need a credential.
 */
@Component
public class AccountSessionsHandler {

    private final AccountSessions sessions;

    AccountSessionsHandler(AccountSessions sessions) {
        this.sessions = sessions;
    }

    public Mono<ServerResponse> list(ServerRequest request) {
        return sessions.list(Requests.principal(request))
                .flatMap(listing -> ServerResponse.ok().cacheControl(CacheControl.noStore()).bodyValue(listing));
    }

    public Mono<ServerResponse> end(ServerRequest request) {
        return sessions.end(Requests.principal(request), request.pathVariable("sessionId"))
                .then(ServerResponse.noContent().build());
    }

    public Mono<ServerResponse> endOthers(ServerRequest request) {
        return sessions.endOthers(Requests.principal(request))
                .flatMap(ended -> ServerResponse.ok().bodyValue(Map.of("ended", ended)));
    }
}
