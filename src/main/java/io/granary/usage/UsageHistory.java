package io.granary.usage;

import java.time.LocalDate;
import java.util.List;

/**
 * The answer of {@code GET /v1/usage/history}: a tenant's or one bucket's figures, day by day.
 *
 * @param tenantId the tenant
 * @param bucket the bucket's name, or {@code null} for the whole tenant
 * @param from the first day
 * @param to the last day
 * @param days one entry per day from {@code from} to {@code to}, in order
 */
public record UsageHistory(String tenantId, String bucket, LocalDate from, LocalDate to, List<Day> days) {

    /**
     * One UTC day.
     *
     * @param date the day
     * @param bytes bytes stored: as of the day's last snapshot; today, as of now; {@code null}
     *     for a day no snapshot was taken (before the bucket existed, or while Granary was not running)
     * @param objects objects stored, likewise
     * @param requests requests to the bucket (to any of the tenant's buckets) that day
     * @param bytesDownloaded response body bytes sent by object reads that day
     */
    public record Day(LocalDate date, Long bytes, Long objects, long requests, long bytesDownloaded) {
    }
}
