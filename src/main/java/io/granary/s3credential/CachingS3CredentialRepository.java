package io.granary.s3credential;

import io.granary.cache.Caches;
import io.granary.cache.TwoTierCache;
import org.springframework.context.annotation.Primary;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The S3-credential port with lookups by access key id cached: one per signed S3 request. The
 * cached record holds the secret sealed, as MongoDB does, so the shared tier never sees it in
 * clear. Revoking a credential, deleting its tenant and sealing its secret again invalidate it on
 * every node before they complete, so a revoked credential stops working at once everywhere.
 */
@Primary
@Component
class CachingS3CredentialRepository implements S3CredentialRepository {

    private final MongoS3CredentialRepository source;
    private final TwoTierCache<S3Credential> byAccessKeyId;

    CachingS3CredentialRepository(MongoS3CredentialRepository source, Caches caches) {
        this.source = source;
        this.byAccessKeyId = caches.metadata("s3credential", S3Credential.class);
    }

    @Override
    public Mono<S3Credential> insert(S3Credential credential) {
        // A lookup just before may have remembered "no such credential".
        return source.insert(credential).flatMap(created -> byAccessKeyId.invalidate(created.accessKeyId()).thenReturn(created));
    }

    @Override
    public Mono<S3Credential> findByAccessKeyId(String accessKeyId) {
        return byAccessKeyId.get(accessKeyId, () -> source.findByAccessKeyId(accessKeyId));
    }

    @Override
    public Flux<S3Credential> findByTenant(String tenantId) {
        return source.findByTenant(tenantId);
    }

    @Override
    public Flux<S3Credential> findAll() {
        return source.findAll();
    }

    @Override
    public Mono<Boolean> replaceSealedSecret(S3Credential read, String sealed) {
        return source.replaceSealedSecret(read, sealed)
                .flatMap(replaced -> byAccessKeyId.invalidate(read.accessKeyId()).thenReturn(replaced));
    }

    @Override
    public Mono<S3Credential> delete(String tenantId, String id) {
        return source.delete(tenantId, id).flatMap(removed -> byAccessKeyId.invalidate(removed.accessKeyId()).thenReturn(removed));
    }

    @Override
    public Mono<Void> deleteByTenant(String tenantId) {
        return source.findByTenant(tenantId).map(S3Credential::accessKeyId).collectList()
                .flatMap(ids -> source.deleteByTenant(tenantId)
                        .then(Flux.fromIterable(ids).concatMap(byAccessKeyId::invalidate).then()));
    }
}
