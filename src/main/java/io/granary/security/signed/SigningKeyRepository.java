package io.granary.security.signed;

import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/** Storage port for URL-signing keys. */
public interface SigningKeyRepository {

    Mono<SigningKey> insert(SigningKey key);

    Mono<SigningKey> find(String kid);

    /** All keys, newest first. */
    Flux<SigningKey> findAll();

    Mono<Boolean> delete(String kid);
}
