package io.granary.usage;

/**
 * What a tenant or a bucket holds, and its quota.
 *
 * @param bytes bytes of all current object versions
 * @param objects number of current objects
 * @param quotaBytes most bytes allowed, or {@code null} for no limit
 * @param quotaObjects most objects allowed, or {@code null} for no limit
 */
public record Usage(long bytes, long objects, Long quotaBytes, Long quotaObjects) {
}
