package io.granary.usage;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * The per-node tally: counts per tenant, bucket and day, loses nothing to drains running while
 * requests are counted, keeps a day that ended until it is drained, and forgets quiet buckets.
 */
class TrafficTallyTest {

    private static final long DAY = TrafficTally.DAY_MILLIS;

    private final AtomicLong now = new AtomicLong(20_000 * DAY + 1000);
    private final TrafficTally tally = new TrafficTally(now::get);

    @Test
    void countsPerTenantBucketAndDay() {
        tally.request("t1", "photos", 100);
        tally.request("t1", "photos", 0);
        tally.request("t1", "docs", 5);
        tally.request("t2", "photos", 7);

        assertThat(tally.drain()).containsExactlyInAnyOrder(
                new TrafficTally.Count("t1", "photos", 20_000, 2, 100),
                new TrafficTally.Count("t1", "docs", 20_000, 1, 5),
                new TrafficTally.Count("t2", "photos", 20_000, 1, 7));
        assertThat(tally.drain()).as("a drain takes what it returns").isEmpty();
        tally.request("t1", "photos", 1);
        assertThat(tally.drain()).containsExactly(new TrafficTally.Count("t1", "photos", 20_000, 1, 1));
    }

    @Test
    void aDayThatEndedIsStillDrainedThenDropped() {
        now.set(20_001 * DAY - 1);
        tally.request("t", "b", 10);
        now.set(20_001 * DAY);
        tally.request("t", "b", 20);
        // A request whose clock read came just before midnight, after the tally rolled over,
        // counts on the new day instead of rolling it back.
        now.set(20_001 * DAY - 1);
        tally.request("t", "b", 30);

        assertThat(tally.drain()).containsExactlyInAnyOrder(
                new TrafficTally.Count("t", "b", 20_000, 1, 10),
                new TrafficTally.Count("t", "b", 20_001, 2, 50));
        for (int i = 0; i < TrafficTally.RETIRED_DRAINS + TrafficTally.IDLE_DRAINS; i++) {
            assertThat(tally.drain()).isEmpty();
        }
        assertThat(tally.size()).as("quiet tallies leave memory").isZero();
        tally.request("t", "b", 1);
        assertThat(tally.drain()).containsExactly(new TrafficTally.Count("t", "b", 20_000, 1, 1));
    }

    @Test
    void drainsRacingWithRequestsLoseAndDuplicateNothing() throws Exception {
        int threads = 3;
        AtomicBoolean stop = new AtomicBoolean();
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<Long>> counting = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                String bucket = "b" + (t % 2);
                boolean clockKeeper = t == 0;
                counting.add(pool.submit(() -> {
                    long made = 0;
                    while (!stop.get()) {
                        tally.request("t", bucket, 3);
                        if (++made % 100_000 == 0 && clockKeeper) {
                            now.addAndGet(DAY / 2); // days end while requests are counted
                        }
                    }
                    return made;
                }));
            }
            long requests = 0;
            long downloaded = 0;
            // Drains come seconds apart in service; here 100 ms, still far longer than any
            // thread pauses between finding its tally and counting into it.
            for (int i = 0; i < 15; i++) {
                Thread.sleep(100);
                for (TrafficTally.Count count : tally.drain()) {
                    requests += count.requests();
                    downloaded += count.downloaded();
                }
            }
            stop.set(true);
            long made = 0;
            for (Future<Long> done : counting) {
                made += done.get();
            }
            for (int i = 0; i <= TrafficTally.RETIRED_DRAINS; i++) {
                for (TrafficTally.Count count : tally.drain()) {
                    requests += count.requests();
                    downloaded += count.downloaded();
                }
            }
            assertThat(made).as("requests counted, over several days").isGreaterThan(1_000_000);
            assertThat(requests).isEqualTo(made);
            assertThat(downloaded).isEqualTo(3 * made);
        } finally {
            pool.shutdownNow();
        }
    }
}
