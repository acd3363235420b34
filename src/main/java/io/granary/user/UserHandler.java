package io.granary.user;

import io.granary.web.Requests;
import java.net.URI;
import java.util.Map;
import org.springframework.stereotype.Component;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;
import reactor.core.publisher.Mono;

/** HTTP for {@code /v1/users}. */
@Component
public class UserHandler {

    private final UserService users;

    UserHandler(UserService users) {
        this.users = users;
    }

    public Mono<ServerResponse> create(ServerRequest request) {
        return Requests.json(request, UserService.NewUser.class)
                .flatMap(body -> users.create(Requests.principal(request), body))
                .flatMap(user -> ServerResponse.created(URI.create("/v1/users/" + user.id())).bodyValue(user));
    }

    public Mono<ServerResponse> list(ServerRequest request) {
        return users.list(Requests.principal(request), request.queryParam("tenant").orElse(null)).collectList()
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
