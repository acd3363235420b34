package io.granary.usage;

/**
 * What the catalogue holds in one bucket: the sums over its current object records.
 *
 * @param tenantId the tenant the records belong to
 * @param bucketId the bucket they name
 * @param figures the sum of their sizes and their number
 */
public record BucketTotal(String tenantId, String bucketId, Figures figures) {
}
