package io.granary.usage;

/**
 * A usage counter that disagreed with the catalogue, as a recount found it.
 *
 * @param scope {@code bucket} or {@code tenant}
 * @param tenantId the tenant
 * @param bucketId the bucket, or {@code null} for a tenant's counter
 * @param bucket the bucket's name, or {@code null} for a tenant's counter
 * @param counter what the counter said when last looked at
 * @param actual what the catalogue holds at the same time
 * @param drift {@code counter - actual}: positive when the counter was too high
 * @param corrected whether the counter was set right ({@code false}: it kept changing while
 *     it was looked at, and is left to the next recount)
 */
public record CounterDrift(String scope, String tenantId, String bucketId, String bucket, Figures counter,
                           Figures actual, Figures drift, boolean corrected) {
}
