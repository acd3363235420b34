package io.granary.usage;

import io.granary.web.BucketTraffic;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Component;

/**
 * This node's count of requests and downloads per tenant, bucket name and UTC day since the last
 * {@link #drain}, which {@link TrafficFlusher} adds to the history every few seconds.
 *
 * <p><b>Cheap on every request.</b> {@link #request} runs on the event loop for every request to
 * a bucket, the hot read path's included: two map lookups by strings the request already holds
 * (the caller's tenant id, the bucket name it gave), a comparison of days and one or two
 * {@link LongAdder} increments. Nothing is allocated, nothing is locked, except when a bucket is
 * first seen or its day has changed.
 *
 * <p><b>Nothing counted is lost by draining.</b> The drain takes each adder's sum and resets it
 * at once ({@link LongAdder#sumThenReset}), so an increment either lands in this drain's sum or
 * stays for the next. A tally taken out of the map (its day is over, or its bucket went quiet
 * for {@link #IDLE_DRAINS} drains, so a node's memory follows the buckets in use) is drained
 * {@link #RETIRED_DRAINS} more times before it is dropped: a request that found it just before
 * it was taken out still counts, unless its thread stalled between the lookup and the increment
 * for a whole flush interval.
 */
@Component
class TrafficTally implements BucketTraffic {

    static final long DAY_MILLIS = 86_400_000L;
    static final int IDLE_DRAINS = 2;
    static final int RETIRED_DRAINS = 2;

    private final LongSupplier clock;
    /** Tallies by tenant id, then bucket name. Tenants are never removed: they are few, and known ones. */
    private final ConcurrentHashMap<String, ConcurrentHashMap<String, Tally>> tenants = new ConcurrentHashMap<>();
    private final ConcurrentLinkedQueue<Tally> retired = new ConcurrentLinkedQueue<>();

    @Autowired
    TrafficTally() {
        this(System::currentTimeMillis);
    }

    /** @param clock the current time in epoch milliseconds */
    TrafficTally(LongSupplier clock) {
        this.clock = clock;
    }

    /** One bucket's count on one day; the drain's bookkeeping is touched by the drain only. */
    private static final class Tally {
        final String tenantId;
        final String bucket;
        final long day;
        final LongAdder requests = new LongAdder();
        final LongAdder downloaded = new LongAdder();
        int idleDrains;
        int retiredDrains;

        Tally(String tenantId, String bucket, long day) {
            this.tenantId = tenantId;
            this.bucket = bucket;
            this.day = day;
        }
    }

    /**
     * What one drain took from one tally.
     *
     * @param epochDay the UTC day, in days since 1970-01-01
     */
    record Count(String tenantId, String bucket, long epochDay, long requests, long downloaded) {
    }

    @Override
    public void request(String tenantId, String bucket, long downloaded) {
        long day = Math.floorDiv(clock.getAsLong(), DAY_MILLIS);
        ConcurrentHashMap<String, Tally> buckets = tenants.get(tenantId);
        if (buckets == null) {
            buckets = tenants.computeIfAbsent(tenantId, id -> new ConcurrentHashMap<>());
        }
        Tally tally = buckets.get(bucket);
        if (tally == null || tally.day < day) {
            tally = open(buckets, tenantId, bucket, day);
        }
        tally.requests.increment();
        if (downloaded > 0) {
            tally.downloaded.add(downloaded);
        }
    }

    /** The tally of {@code bucket} for {@code day} or later, replacing (and retiring) an older day's. */
    private Tally open(ConcurrentHashMap<String, Tally> buckets, String tenantId, String bucket, long day) {
        return buckets.compute(bucket, (name, old) -> {
            // A request that read the clock just before midnight, after another rolled the
            // tally over, counts on the new day rather than flip it back.
            if (old != null && old.day >= day) {
                return old;
            }
            if (old != null) {
                retired.add(old);
            }
            return new Tally(tenantId, name, day);
        });
    }

    /** Takes everything counted since the last drain. One drain at a time. */
    synchronized List<Count> drain() {
        List<Count> counts = new ArrayList<>();
        for (Iterator<Tally> it = retired.iterator(); it.hasNext(); ) {
            Tally tally = it.next();
            take(tally, counts);
            if (++tally.retiredDrains >= RETIRED_DRAINS) {
                it.remove();
            }
        }
        tenants.values().forEach(buckets -> buckets.forEach((name, tally) -> {
            if (take(tally, counts)) {
                tally.idleDrains = 0;
            } else if (++tally.idleDrains >= IDLE_DRAINS && buckets.remove(name, tally)) {
                retired.add(tally);
            }
        }));
        return counts;
    }

    /** Moves a tally's sums into {@code counts}; whether there was anything. */
    private static boolean take(Tally tally, List<Count> counts) {
        long requests = tally.requests.sumThenReset();
        long downloaded = tally.downloaded.sumThenReset();
        if (requests == 0 && downloaded == 0) {
            return false;
        }
        counts.add(new Count(tally.tenantId, tally.bucket, tally.day, requests, downloaded));
        return true;
    }

    /** How many tallies this node holds, retired ones included (for tests). */
    int size() {
        return tenants.values().stream().mapToInt(ConcurrentHashMap::size).sum() + retired.size();
    }
}
