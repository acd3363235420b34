package io.granary.usage;

import java.time.LocalDate;
import java.util.List;
import java.util.Set;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Storage port for the usage history: one document per tenant, bucket (or {@link DailyUsage#TENANT})
 * and UTC day, under the id {@link DailyUsage#id()}. Every change is one atomic update of one
 * document, created if missing: traffic is added ({@code $inc}), so any number of nodes add up;
 * stored figures are set ({@code $set}), so writing a day's snapshot again only refreshes it.
 */
public interface UsageHistoryRepository {

    /**
     * Adds each row's {@code requests} and {@code bytesDownloaded} to its document, in one round
     * trip; its stored figures are ignored. Each row is its own atomic step: when some fail, the
     * error is a {@link PartialWrite} naming them, and all others were added.
     */
    Mono<Void> addTraffic(List<DailyUsage> rows);

    /** Sets each row's {@code bytes} and {@code objects} on its document, in one round trip; its traffic is ignored. */
    Mono<Void> snapshot(List<DailyUsage> rows);

    /** The rows of one tenant and bucket id (or {@link DailyUsage#TENANT}) from {@code from} to {@code to}, both included, by day. */
    Flux<DailyUsage> find(String tenantId, String bucketId, LocalDate from, LocalDate to);

    /** Deletes every row of a day before {@code day}; completes with how many there were. */
    Mono<Long> deleteBefore(LocalDate day);

    /**
     * A write of several rows that left some of them undone (and all others done).
     *
     * @param failed the positions, in the list written, of the rows not written
     */
    final class PartialWrite extends RuntimeException {

        private final transient Set<Integer> failed;

        public PartialWrite(Set<Integer> failed, Throwable cause) {
            super(failed.size() + " row(s) not written: " + cause.getMessage(), cause);
            this.failed = Set.copyOf(failed);
        }

        public Set<Integer> failed() {
            return failed;
        }
    }
}
