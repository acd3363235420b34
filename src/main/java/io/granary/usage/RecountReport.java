package io.granary.usage;

import java.time.Instant;
import java.util.List;

/**
 * The outcome of one usage recount.
 *
 * @param tenantId the one tenant recounted, or {@code null} for all
 * @param trigger {@code request} ({@code POST /v1/usage/recount}) or {@code schedule}
 * @param startedAt when it started
 * @param finishedAt when it finished
 * @param tenants how many tenants' counters were checked
 * @param buckets how many buckets' counters were checked
 * @param drifts every counter found to disagree with the catalogue, corrected or not
 * @param recordsWithoutBucket object records naming a bucket that does not exist (left by a
 *     forced bucket delete racing with an upload, or a bucket being deleted right then); they
 *     count in no counter and are only reported
 */
public record RecountReport(String tenantId, String trigger, Instant startedAt, Instant finishedAt, long tenants,
                            long buckets, List<CounterDrift> drifts, List<BucketTotal> recordsWithoutBucket) {

    /** How many counters were corrected. */
    public long corrected() {
        return drifts.stream().filter(CounterDrift::corrected).count();
    }
}
