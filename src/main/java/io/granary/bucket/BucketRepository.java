package io.granary.bucket;

import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/** Storage port for buckets. Names are unique per tenant ({@code bucket_exists} on a duplicate). */
public interface BucketRepository {

    Mono<Bucket> insert(Bucket bucket);

    Mono<Bucket> find(String tenantId, String name);

    Flux<Bucket> findByTenant(String tenantId);

    Mono<Long> countByTenant(String tenantId);

    /** Replaces the settings of an existing bucket; empty when it is gone. */
    Mono<Bucket> update(Bucket bucket);

    Mono<Boolean> delete(String tenantId, String id);
}
