package io.granary.usage;

import java.time.LocalDate;

/**
 * One row of the usage history: a bucket's (or, with {@link #TENANT} as its bucket id, a whole
 * tenant's) figures on one UTC day.
 *
 * @param tenantId the tenant
 * @param bucketId the bucket's id, or {@link #TENANT} for the row of all the tenant's buckets
 *     (deleted ones included)
 * @param day the UTC day
 * @param bytes bytes stored as of the day's last snapshot, or {@code null} when none was taken
 * @param objects objects stored as of the day's last snapshot, or {@code null} when none was taken
 * @param requests requests made to the bucket that day
 * @param bytesDownloaded response body bytes sent by object reads that day
 */
public record DailyUsage(String tenantId, String bucketId, LocalDate day, Long bytes, Long objects, long requests,
                         long bytesDownloaded) {

    /** The bucket id of a tenant's row: no bucket id (24 hex digits) can be it. */
    public static final String TENANT = "*";

    /** A row of traffic only: requests and downloads, no stored figures. */
    public static DailyUsage traffic(String tenantId, String bucketId, LocalDate day, long requests, long bytesDownloaded) {
        return new DailyUsage(tenantId, bucketId, day, null, null, requests, bytesDownloaded);
    }

    /** A row of stored figures only, as a snapshot takes them. */
    public static DailyUsage stored(String tenantId, String bucketId, LocalDate day, long bytes, long objects) {
        return new DailyUsage(tenantId, bucketId, day, bytes, objects, 0, 0);
    }

    /** The traffic of this row and {@code other} (of the same tenant, bucket and day) together. */
    public DailyUsage plusTraffic(DailyUsage other) {
        return traffic(tenantId, bucketId, day, requests + other.requests, bytesDownloaded + other.bytesDownloaded);
    }

    /** The row's identity, {@code <tenantId>/<bucketId>/<yyyy-mm-dd>}: its document id in the history. */
    public String id() {
        return id(tenantId, bucketId, day);
    }

    static String id(String tenantId, String bucketId, LocalDate day) {
        return tenantId + '/' + bucketId + '/' + day;
    }
}
