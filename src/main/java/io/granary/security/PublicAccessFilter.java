package io.granary.security;

import io.granary.error.ErrorCode;
import io.granary.error.GranaryException;
import io.granary.tenant.TenantService;
import io.granary.web.Requests;
import org.springframework.http.HttpMethod;
import org.springframework.stereotype.Component;
import org.springframework.web.reactive.function.server.HandlerFilterFunction;
import org.springframework.web.reactive.function.server.HandlerFunction;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;
import reactor.core.publisher.Mono;

/**
 * For {@code /public/{tenant}/...}: no credential, just the tenant named in the path, read-only
 * and limited to its public buckets ({@link Principal.Anonymous}). An unknown tenant is a 404
 * like an unknown or private bucket, so names do not leak.
 */
@Component
public class PublicAccessFilter implements HandlerFilterFunction<ServerResponse, ServerResponse> {

    private final TenantService tenants;

    public PublicAccessFilter(TenantService tenants) {
        this.tenants = tenants;
    }

    @Override
    public Mono<ServerResponse> filter(ServerRequest request, HandlerFunction<ServerResponse> next) {
        if (request.method() != HttpMethod.GET && request.method() != HttpMethod.HEAD) {
            return next.handle(request); // a 405, answered alike for every tenant name
        }
        return tenants.findByName(request.pathVariable("tenant"))
                // The same answer as for a private or missing bucket, so tenant names cannot be probed.
                .switchIfEmpty(Mono.error(() -> new GranaryException(ErrorCode.BUCKET_NOT_FOUND,
                        "No bucket named '" + request.pathVariable("bucket") + "'.")))
                .flatMap(tenant -> {
                    request.attributes().put(Requests.PRINCIPAL, new Principal.Anonymous(tenant.id()));
                    return next.handle(request);
                });
    }
}
