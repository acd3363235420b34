package io.granary.security;

import io.granary.ratelimit.RateLimiter;
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

    /** Not an id: no bucket belongs to it. */
    static final String NO_TENANT = "-";

    private final TenantService tenants;
    private final RateLimiter rateLimiter;

    public PublicAccessFilter(TenantService tenants, RateLimiter rateLimiter) {
        this.tenants = tenants;
        this.rateLimiter = rateLimiter;
    }

    @Override
    public Mono<ServerResponse> filter(ServerRequest request, HandlerFunction<ServerResponse> next) {
        if (request.method() != HttpMethod.GET && request.method() != HttpMethod.HEAD) {
            return next.handle(request); // a 405, answered alike for every tenant name
        }
        // An unknown tenant goes down the same path as a known one, with a tenant id that owns
        // nothing: every answer (bad key, missing bucket) is then the same, so tenant names
        // cannot be probed.
        return tenants.findByName(request.pathVariable("tenant"))
                .map(tenant -> new Principal.Anonymous(tenant.id()))
                .defaultIfEmpty(new Principal.Anonymous(NO_TENANT))
                .flatMap(anonymous -> {
                    request.attributes().put(Requests.PRINCIPAL, anonymous);
                    return rateLimiter.acquire(anonymous.tenantId(), null, null)
                            .then(Mono.defer(() -> next.handle(request)));
                });
    }
}
