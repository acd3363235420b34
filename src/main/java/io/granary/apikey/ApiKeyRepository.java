package io.granary.apikey;

import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/** Storage port for API keys. */
public interface ApiKeyRepository {

    Mono<ApiKey> insert(ApiKey key);

    Mono<ApiKey> findById(String id);

    Flux<ApiKey> findByTenant(String tenantId);

    /** Completes with whether a key of that tenant was removed. */
    Mono<Boolean> delete(String tenantId, String id);

    Mono<Void> deleteByTenant(String tenantId);
}
