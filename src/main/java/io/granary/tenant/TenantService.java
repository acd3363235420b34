package io.granary.tenant;

import io.granary.apikey.ApiKeyRepository;
import io.granary.audit.AuditEventType;
import io.granary.audit.AuditLog;
import io.granary.bucket.BucketRepository;
import io.granary.common.Ids;
import io.granary.common.Names;
import io.granary.common.Quotas;
import io.granary.error.ErrorCode;
import io.granary.error.GranaryException;
import io.granary.s3credential.S3CredentialRepository;
import io.granary.security.Authorizer;
import io.granary.security.Principal;
import io.granary.security.jwt.TenantIssuerRepository;
import io.granary.usage.QuotaService;
import io.granary.usage.UsageRepository;
import io.granary.user.UserRepository;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import org.springframework.stereotype.Service;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/** Tenant lifecycle rules: the root key creates, lists and deletes tenants. */
@Service
public class TenantService {

    private final TenantRepository tenants;
    private final BucketRepository buckets;
    private final ApiKeyRepository keys;
    private final S3CredentialRepository s3Credentials;
    private final AuditLog audit;
    private final UsageRepository usage;

    private final UserRepository users;
    private final TenantIssuerRepository issuers;

    public TenantService(TenantRepository tenants, BucketRepository buckets, ApiKeyRepository keys,
                         S3CredentialRepository s3Credentials, AuditLog audit, UsageRepository usage, UserRepository users,
                         TenantIssuerRepository issuers) {
        this.users = users;
        this.issuers = issuers;
        this.usage = usage;
        this.tenants = tenants;
        this.buckets = buckets;
        this.keys = keys;
        this.s3Credentials = s3Credentials;
        this.audit = audit;
    }

    public Mono<Tenant> create(Principal principal, String name) {
        Authorizer.requireSystem(principal);
        Names.requireTenantName(name);
        return tenants.insert(new Tenant(Ids.newId(), name, Instant.now().truncatedTo(ChronoUnit.MILLIS), null, null))
                .flatMap(tenant -> audit.record(principal, tenant.id(), AuditEventType.TENANT_CREATED,
                        "tenant:" + tenant.id(), Map.of("name", tenant.name())).thenReturn(tenant));
    }

    public Flux<Tenant> list(Principal principal) {
        Authorizer.requireSystem(principal);
        return tenants.findAll();
    }

    /** A tenant as root or its own unscoped admin key sees it. */
    public Mono<Tenant> get(Principal principal, String id) {
        Authorizer.requireTenantAdmin(principal, id);
        return get(id);
    }

    /** The tenant of that name, for anonymous access to its public buckets; no authorization. */
    public Mono<Tenant> findByName(String name) {
        return tenants.findByName(name);
    }

    /** Existence check for other services; no authorization. */
    public Mono<Tenant> get(String id) {
        return (Ids.isId(id) ? tenants.findById(id) : Mono.<Tenant>empty())
                .switchIfEmpty(Mono.error(() -> new GranaryException(ErrorCode.TENANT_NOT_FOUND, "No tenant '" + id + "'.")));
    }

    /**
     * The id of the tenant {@code reference} names, for routes that take a tenant's id or its
     * name: an id (24 hex digits, which no name can be) as it is, a name as its tenant's id. An
     * unknown name comes back unchanged and then fails like an unknown id, with the same answer
     * whoever asks, so tenant credentials cannot probe other tenants' names. Empty for
     * {@code null}.
     */
    public Mono<String> idOf(String reference) {
        if (reference == null || Ids.isId(reference)) {
            return Mono.justOrEmpty(reference);
        }
        return tenants.findByName(reference).map(Tenant::id).defaultIfEmpty(reference);
    }

    /**
     * Deletes a tenant that has no buckets. Its keys, S3 credentials, users and trusted issuers go first, so no credential of a deleted tenant can
     * keep working; the bucket count is taken again after that, so a bucket created meanwhile by
     * a key that was still valid stops the deletion.
     */
    public Mono<Void> delete(Principal principal, String id) {
        Authorizer.requireSystem(principal);
        return get(id)
                .flatMap(tenant -> requireNoBuckets(id))
                .then(keys.deleteByTenant(id))
                .then(s3Credentials.deleteByTenant(id))
                .then(users.deleteByTenant(id))
                .then(issuers.deleteByTenant(id))
                .then(requireNoBuckets(id))
                .then(tenants.delete(id))
                .then(usage.delete(QuotaService.tenantCounter(id)))
                .then(audit.record(principal, id, AuditEventType.TENANT_DELETED, "tenant:" + id, Map.of()));
    }

    /** Sets or clears ({@code null}) the tenant's quotas; absent fields stay. Root only. */
    public Mono<Tenant> updateQuotas(Principal principal, String id, Map<String, Object> patch) {
        Authorizer.requireSystem(principal);
        for (String field : patch.keySet()) {
            if (!field.equals("quotaBytes") && !field.equals("quotaObjects")) {
                return Mono.error(new GranaryException(ErrorCode.INVALID_JSON, "Unknown field '" + field + "'."));
            }
        }
        return get(id).flatMap(tenant -> tenants.updateQuotas(id,
                patch.containsKey("quotaBytes") ? Quotas.limit(patch.get("quotaBytes"), "quotaBytes") : tenant.quotaBytes(),
                patch.containsKey("quotaObjects") ? Quotas.limit(patch.get("quotaObjects"), "quotaObjects") : tenant.quotaObjects()));
    }

    private Mono<Void> requireNoBuckets(String id) {
        return buckets.countByTenant(id).flatMap(count -> count > 0
                ? Mono.error(new GranaryException(ErrorCode.TENANT_NOT_EMPTY,
                        "The tenant still has " + count + " bucket(s); delete them first."))
                : Mono.empty());
    }
}
