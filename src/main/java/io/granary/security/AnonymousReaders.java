package io.granary.security;

import io.granary.ratelimit.RateLimiter;
import io.granary.tenant.TenantService;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;

/**
 * Admits an anonymous reader of one tenant's public buckets, the tenant named by its name: the
 * {@link Principal.Anonymous} of that tenant, once a request has been taken from the tenant's
 * rate limit (which may fail with {@code rate_limited}). Both front-ends admit anonymous readers
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

    public Mono<Principal.Anonymous> admit(String tenantName) {
        // An unknown tenant goes down the same path as a known one, with a tenant id that owns
        // nothing: every answer (bad key, missing bucket) is then the same, so tenant names
        // cannot be probed.
        return tenants.findByName(tenantName)
                .map(tenant -> new Principal.Anonymous(tenant.id()))
                .defaultIfEmpty(new Principal.Anonymous(NO_TENANT))
                .flatMap(anonymous -> rateLimiter.admit(anonymous).thenReturn(anonymous));
    }
}
