package io.granary.bucket;

import java.util.Map;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/** Storage port for buckets. Names are unique per tenant ({@code bucket_exists} on a duplicate). */
public interface BucketRepository {

    Mono<Bucket> insert(Bucket bucket);

    Mono<Bucket> find(String tenantId, String name);

    Flux<Bucket> findByTenant(String tenantId);

    /**
     * The tenants that have a bucket of this name, for the one question asked without a
     * credential: whether a CORS preflight may pass.
     */
    Mono<BucketOwners> ownersOf(String name);

    Mono<Long> countByTenant(String tenantId);

    /** Every bucket of every tenant that has lifecycle rules, read as it is stored now (never from a cache). */
    Flux<Bucket> withLifecycleRules();

    /**
     * Sets only the given fields of an existing bucket (so concurrent changes of other fields
     * survive); completes with the bucket as it was just before, or empty when it is gone.
     */
    Mono<Bucket> update(String id, Map<String, Object> fields);

    /** Completes with whether the bucket (matched by id, within its tenant) was removed. */
    Mono<Boolean> delete(Bucket bucket);
}
