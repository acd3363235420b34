package io.granary.security;

import io.granary.ratelimit.RateLimiter;
import io.granary.tenant.Tenant;
import io.granary.tenant.TenantService;
import io.granary.web.Requests;
import java.util.Map;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;

/**
 * Admits an anonymous reader of one tenant's public buckets, the tenant named by its name: the
 * {@link Principal.Anonymous} of that tenant, recorded as the request's principal and then
 * admitted by the tenant's rate limit (which may fail with {@code rate_limited}; the answer to
 * that refusal knows its tenant, for its CORS headers). Both front-ends admit anonymous readers
 * here: the REST API's {@code /public} routes ({@link PublicAccessFilter}) and the S3 API's
 * unsigned requests. What such a reader may then do is {@code Authorizer}'s and
 * {@code BucketService}'s rule: read, and only in public buckets.
 */
@Component
public class AnonymousReaders {

    /** Not an id: no bucket belongs to it. */
    static final String NO_TENANT = "-";

    private final TenantService tenants;
    private final RateLimiter rateLimiter;

    public AnonymousReaders(TenantService tenants, RateLimiter rateLimiter) {
        this.tenants = tenants;
        this.rateLimiter = rateLimiter;
    }

    /** The reader, put into {@code requestAttributes} as {@link Requests#PRINCIPAL}, once admitted. */
    public Mono<Principal.Anonymous> admit(String tenantName, Map<String, Object> requestAttributes) {
        return tenantId(tenantName)
                .map(Principal.Anonymous::new)
                .flatMap(anonymous -> {
                    requestAttributes.put(Requests.PRINCIPAL, anonymous);
                    return rateLimiter.admit(anonymous).thenReturn(anonymous);
                });
    }

    /**
     * The id of the tenant of that name. An unknown tenant gets an id that owns nothing, and so
     * goes down the same path as a known one: every answer (bad key, missing bucket) is then the
     * same, and tenant names cannot be probed.
     */
    public Mono<String> tenantId(String tenantName) {
        return tenants.findByName(tenantName).map(Tenant::id).defaultIfEmpty(NO_TENANT);
    }
}
