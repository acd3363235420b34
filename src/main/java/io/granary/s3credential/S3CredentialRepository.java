package io.granary.s3credential;

import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/** Storage port for S3 credentials. */
public interface S3CredentialRepository {

    /** Fails with a {@code DuplicateKeyException} when the access key id is taken (90 random bits: never seen). */
    Mono<S3Credential> insert(S3Credential credential);

    Mono<S3Credential> findByAccessKeyId(String accessKeyId);

    Flux<S3Credential> findByTenant(String tenantId);

    /** Every credential, for sealing secrets again under a new master key. */
    Flux<S3Credential> findAll();

    /** Replaces the credential's sealed secret if it is still the one read; completes with whether it did. */
    Mono<Boolean> replaceSealedSecret(S3Credential read, String sealed);

    /** Removes a credential of that tenant; completes with it, or empty when there was none. */
    Mono<S3Credential> delete(String tenantId, String id);

    Mono<Void> deleteByTenant(String tenantId);
}
