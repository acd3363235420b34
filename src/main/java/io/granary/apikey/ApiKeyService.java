package io.granary.apikey;

import io.granary.audit.AuditEventType;
import io.granary.audit.AuditLog;
import io.granary.common.Ids;
import io.granary.error.ErrorCode;
import io.granary.error.GranaryException;
import io.granary.security.Authorizer;
import io.granary.security.Principal;
import io.granary.security.Secrets;
import io.granary.tenant.TenantService;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.stereotype.Service;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Issues, lists, revokes and verifies API keys. A credential reads {@code grk_<keyId>_<secret>}:
 * the id finds the record in one lookup and the secret is compared by digest, so revocation
 * (deleting the record) takes effect on the very next request.
 */
@Service
public class ApiKeyService {

    static final String PREFIX = "grk_";
    private static final int MAX_VERIFIED = 10_000;

    private final ApiKeyRepository keys;
    private final TenantService tenants;
    private final AuditLog audit;
    /**
     * The last verification per key id. A plain map read costs less than a bounded cache's
     * bookkeeping on this path; it is bounded by starting over when full (the next request of
     * each key then hashes its secret again).
     */
    private final Map<String, VerifiedKey> verified = new ConcurrentHashMap<>();

    public ApiKeyService(ApiKeyRepository keys, TenantService tenants, AuditLog audit) {
        this.keys = keys;
        this.tenants = tenants;
        this.audit = audit;
    }

    /** What a caller asks for when creating a key. */
    public record KeySpec(String name, List<String> permissions, List<String> buckets, Instant expiresAt,
                          Double requestsPerSecond) {
    }

    public Mono<IssuedKey> create(Principal principal, String tenantId, KeySpec spec) {
        Authorizer.requireTenantAdmin(principal, tenantId);
        Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        KeyScope scope = KeyScope.of(spec, now);
        String id = Ids.newId();
        String secret = Secrets.newSecret();
        ApiKey key = new ApiKey(id, tenantId, scope.name(), scope.permissions(), scope.buckets(), scope.expiresAt(), now,
                Secrets.sha256Hex(secret), scope.requestsPerSecond());
        return tenants.get(tenantId)
                .then(keys.insert(key))
                .flatMap(saved -> audit.record(principal, tenantId, AuditEventType.KEY_CREATED, "key:" + id,
                                Map.of("name", saved.name(), "permissions", String.join(",", saved.permissions()),
                                        "buckets", saved.buckets() == null ? "*" : String.join(",", saved.buckets())))
                        .thenReturn(new IssuedKey(saved, PREFIX + id + "_" + secret)));
    }

    public Flux<ApiKey> list(Principal principal, String tenantId) {
        Authorizer.requireTenantAdmin(principal, tenantId);
        return tenants.get(tenantId).thenMany(keys.findByTenant(tenantId));
    }

    public Mono<Void> revoke(Principal principal, String tenantId, String keyId) {
        Authorizer.requireTenantAdmin(principal, tenantId);
        return tenants.get(tenantId)
                .then(Ids.isId(keyId) ? keys.delete(tenantId, keyId) : Mono.just(false))
                // Useless without the record anyway; the secret need not stay in memory here.
                .doOnNext(deleted -> verified.remove(keyId))
                .flatMap(deleted -> deleted
                        ? audit.record(principal, tenantId, AuditEventType.KEY_REVOKED, "key:" + keyId, Map.of())
                        : Mono.error(new GranaryException(ErrorCode.KEY_NOT_FOUND, "No key with id '" + keyId + "'.")));
    }

    /** Whether key {@code keyId} of tenant {@code tenantId} exists and has not expired. */
    public Mono<Boolean> isActive(String keyId, String tenantId) {
        if (!Ids.isId(keyId)) {
            return Mono.just(false);
        }
        return keys.findById(keyId)
                .map(key -> key.tenantId().equals(tenantId) && !key.expiredAt(Instant.now()))
                .defaultIfEmpty(false);
    }

    /**
     * The principal of a tenant credential, or empty when it is unknown, wrong or expired. The
     * record is read on every call (from the cache), so revocation and expiry apply at once; the
     * secret is hashed only when the record or the secret differs from the last one verified
     * for that key.
     */
    public Mono<Principal> authenticate(String credential) {
        if (!credential.startsWith(PREFIX) || credential.length() < PREFIX.length() + 26) {
            return Mono.empty();
        }
        String id = credential.substring(PREFIX.length(), PREFIX.length() + 24);
        if (!Ids.isId(id) || credential.charAt(PREFIX.length() + 24) != '_') {
            return Mono.empty();
        }
        String secret = credential.substring(PREFIX.length() + 25);
        return keys.findById(id).mapNotNull(key -> key.expiredAt(Instant.now()) ? null : verify(key, secret));
    }

    private Principal verify(ApiKey key, String secret) {
        VerifiedKey last = verified.get(key.id());
        if (last != null && last.key().equals(key) && Secrets.sameText(last.secret(), secret)) {
            return last.principal();
        }
        if (!Secrets.sameDigest(key.secretDigest(), secret)) {
            return null;
        }
        Principal principal = KeyScope.principal(key.tenantId(), key.id(), key.permissions(), key.buckets(),
                key.requestsPerSecond());
        if (verified.size() >= MAX_VERIFIED) {
            verified.clear();
        }
        verified.put(key.id(), new VerifiedKey(key, secret, principal));
        return principal;
    }

    /**
     * A secret found to match this record, and the principal it gave. Kept in this node's memory
     * only (never in Redis or MongoDB), where every request's secret passes anyway; a changed
     * record (another secret digest, permissions, expiry) no longer matches it.
     */
    private record VerifiedKey(ApiKey key, String secret, Principal principal) {
    }
}
