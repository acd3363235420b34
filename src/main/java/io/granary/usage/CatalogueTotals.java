package io.granary.usage;

import reactor.core.publisher.Flux;

/**
 * Port to the object catalogue for recounting usage: the figures the counters should show,
 * summed from the object records themselves. Implemented where the records live (package
 * {@code object}), so this package needs no knowledge of their shape.
 */
public interface CatalogueTotals {

    /**
     * The sums of the current object records, one per bucket that has any, in no particular
     * order. The database does the summing (an aggregation {@code $group}), so the records
     * never travel and memory grows with the number of buckets, not of objects. The scan is
     * not a snapshot: records written while it runs may or may not be counted.
     *
     * @param tenantId only this tenant's buckets, or {@code null} for every tenant's
     */
    Flux<BucketTotal> perBucket(String tenantId);
}
