package io.granary.tenant;

import io.granary.apikey.ApiKeyRepository;
import io.granary.bucket.BucketRepository;
import io.granary.common.Ids;
import io.granary.common.Names;
import io.granary.error.ErrorCode;
import io.granary.error.GranaryException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import org.springframework.stereotype.Service;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/** Tenant lifecycle rules. Authorization is the caller's job (root only). */
@Service
public class TenantService {

    private final TenantRepository tenants;
    private final BucketRepository buckets;
    private final ApiKeyRepository keys;

    public TenantService(TenantRepository tenants, BucketRepository buckets, ApiKeyRepository keys) {
        this.tenants = tenants;
        this.buckets = buckets;
        this.keys = keys;
    }

    public Mono<Tenant> create(String name) {
        Names.requireTenantName(name);
        return tenants.insert(new Tenant(Ids.newId(), name, Instant.now().truncatedTo(ChronoUnit.MILLIS)));
    }

    public Flux<Tenant> list() {
        return tenants.findAll();
    }

    public Mono<Tenant> get(String id) {
        return (Ids.isId(id) ? tenants.findById(id) : Mono.<Tenant>empty())
                .switchIfEmpty(Mono.error(() -> new GranaryException(ErrorCode.TENANT_NOT_FOUND, "No tenant with id '" + id + "'.")));
    }

    /**
     * Deletes a tenant that has no buckets, and its keys. The keys go last, so a failure half
     * way leaves a tenant that can still be managed and deleted again.
     */
    public Mono<Void> delete(String id) {
        return get(id)
                .flatMap(tenant -> buckets.countByTenant(tenant.id()))
                .flatMap(count -> count > 0
                        ? Mono.error(new GranaryException(ErrorCode.TENANT_NOT_EMPTY,
                                "The tenant still has " + count + " bucket(s); delete them first."))
                        : tenants.delete(id))
                .then(keys.deleteByTenant(id));
    }
}
