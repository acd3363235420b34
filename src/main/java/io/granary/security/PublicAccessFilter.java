package io.granary.security;

import org.springframework.http.HttpMethod;
import org.springframework.stereotype.Component;
import org.springframework.web.reactive.function.server.HandlerFilterFunction;
import org.springframework.web.reactive.function.server.HandlerFunction;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;
import reactor.core.publisher.Mono;

/**
 * For {@code /public/{tenant}/...}: no credential, just the tenant named in the path, read-only
 * and limited to its public buckets ({@link Principal.Anonymous}, from {@link AnonymousReaders}).
 * An unknown tenant is a 404 like an unknown or private bucket, so names do not leak.
 */
@Component
public class PublicAccessFilter implements HandlerFilterFunction<ServerResponse, ServerResponse> {

    private final AnonymousReaders readers;

    public PublicAccessFilter(AnonymousReaders readers) {
        this.readers = readers;
    }

    @Override
    public Mono<ServerResponse> filter(ServerRequest request, HandlerFunction<ServerResponse> next) {
        if (request.method() != HttpMethod.GET && request.method() != HttpMethod.HEAD) {
            return next.handle(request); // a 405, answered alike for every tenant name
        }
        return readers.admit(request.pathVariable("tenant"), request.attributes()).then(Mono.defer(() -> next.handle(request)));
    }
}
