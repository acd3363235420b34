package io.granary.s3credential;

import io.granary.apikey.ApiKeyService;
import io.granary.apikey.KeyScope;
import io.granary.audit.AuditEventType;
import io.granary.audit.AuditLog;
import io.granary.common.Ids;
import io.granary.error.ErrorCode;
import io.granary.error.GranaryException;
import io.granary.security.Authorizer;
import io.granary.security.Principal;
import io.granary.security.SecretSealer;
import io.granary.tenant.TenantService;
import java.security.SecureRandom;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import org.springframework.stereotype.Service;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Issues, lists and revokes S3 credentials (an access key id and a secret access key, scoped as
 * API keys are), and tells the S3 front-end what an access key id stands for. Revocation deletes
 * the record, so it applies to the very next request.
 */
@Service
public class S3CredentialService {

    /** Access key ids: {@code GR} and 18 characters of RFC 4648 base32 (90 random bits), 20 in all as AWS's. */
    static final String ACCESS_KEY_PREFIX = "GR";
    private static final String ID_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    private static final String SECRET_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    private static final int SECRET_LENGTH = 40; // as AWS's; ~238 random bits
    private static final SecureRandom RANDOM = new SecureRandom();

    private final S3CredentialRepository credentials;
    private final TenantService tenants;
    private final AuditLog audit;
    private final SecretSealer sealer;

    S3CredentialService(S3CredentialRepository credentials, TenantService tenants, AuditLog audit, SecretSealer sealer) {
        this.credentials = credentials;
        this.tenants = tenants;
        this.audit = audit;
        this.sealer = sealer;
    }

    public Mono<IssuedS3Credential> create(Principal principal, String tenantId, ApiKeyService.KeySpec spec) {
        Authorizer.requireTenantAdmin(principal, tenantId);
        Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        KeyScope scope = KeyScope.of(spec, now);
        String id = Ids.newId();
        String accessKeyId = ACCESS_KEY_PREFIX + random(ID_ALPHABET, 18);
        String secret = random(SECRET_ALPHABET, SECRET_LENGTH);
        S3Credential credential = new S3Credential(id, tenantId, scope.name(), accessKeyId, scope.permissions(),
                scope.buckets(), scope.expiresAt(), now, sealer.seal(secret, accessKeyId), scope.requestsPerSecond());
        return tenants.get(tenantId)
                .then(credentials.insert(credential))
                .flatMap(saved -> audit.record(principal, tenantId, AuditEventType.S3_CREDENTIAL_CREATED,
                                "s3-credential:" + id, Map.of("name", saved.name(), "accessKeyId", accessKeyId,
                                        "permissions", String.join(",", saved.permissions()),
                                        "buckets", saved.buckets() == null ? "*" : String.join(",", saved.buckets())))
                        .thenReturn(new IssuedS3Credential(saved, secret)));
    }

    public Flux<S3Credential> list(Principal principal, String tenantId) {
        Authorizer.requireTenantAdmin(principal, tenantId);
        return tenants.get(tenantId).thenMany(credentials.findByTenant(tenantId));
    }

    public Mono<Void> revoke(Principal principal, String tenantId, String id) {
        Authorizer.requireTenantAdmin(principal, tenantId);
        return tenants.get(tenantId)
                .then(Ids.isId(id) ? credentials.delete(tenantId, id).hasElement() : Mono.just(false))
                .flatMap(deleted -> deleted
                        ? audit.record(principal, tenantId, AuditEventType.S3_CREDENTIAL_REVOKED, "s3-credential:" + id, Map.of())
                        : Mono.error(new GranaryException(ErrorCode.CREDENTIAL_NOT_FOUND, "No S3 credential with id '" + id + "'.")));
    }

    /**
     * What {@code accessKeyId} stands for: its principal and secret; empty when no credential has
     * that id or it has expired. The record is read on every call, so a revocation applies at once.
     */
    public Mono<S3Identity> identify(String accessKeyId) {
        if (accessKeyId == null || accessKeyId.length() != 20 || !accessKeyId.startsWith(ACCESS_KEY_PREFIX)) {
            return Mono.empty();
        }
        return credentials.findByAccessKeyId(accessKeyId)
                .filter(credential -> !credential.expiredAt(Instant.now()))
                .map(credential -> new S3Identity(accessKeyId,
                        KeyScope.principal(credential.tenantId(), credential.id(), credential.permissions(),
                                credential.buckets(), credential.requestsPerSecond()),
                        sealer.open(credential.sealedSecret(), accessKeyId)));
    }

    /**
     * Seals again, under the current master key, every secret sealed under an older one (the
     * second step of a key rotation); completes with how many it sealed again. A record changed
     * meanwhile is left to the next run.
     */
    public Mono<Long> resealUnderCurrentKey() {
        return credentials.findAll()
                .filter(credential -> !sealer.isCurrent(credential.sealedSecret()))
                .concatMap(credential -> credentials.replaceSealedSecret(credential,
                        sealer.seal(sealer.open(credential.sealedSecret(), credential.accessKeyId()), credential.accessKeyId())))
                .filter(Boolean::booleanValue)
                .count();
    }

    private static String random(String alphabet, int length) {
        StringBuilder value = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            value.append(alphabet.charAt(RANDOM.nextInt(alphabet.length())));
        }
        return value.toString();
    }
}
