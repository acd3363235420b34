package io.granary.usage;

import java.util.List;
import reactor.core.publisher.Mono;

/**
 * Storage port for usage counters, one document per tenant and per bucket. Every change is
 * one conditional {@code $inc}, so counters stay exact across nodes without transactions.
 */
public interface UsageRepository {

    /**
     * Adds {@code bytes} and {@code objects} to counter {@code id} if the result stays within the
     * limits; completes with whether it did. {@code null} limits do not constrain, and neither
     * does any limit on a value that does not grow.
     */
    Mono<Boolean> add(String id, long bytes, long objects, Long maxBytes, Long maxObjects);

    /** Subtracts unconditionally (releases are never refused). */
    Mono<Void> subtract(String id, long bytes, long objects);

    /**
     * Adds {@code bytes} and {@code objects} (either may be negative) to each counter of
     * {@code ids} without condition, in that order and in one round trip. A missing counter is
     * created only with {@code create}, else left missing. Each counter is still its own atomic
     * step (no transaction): a failure part-way can leave the later counters unchanged.
     */
    Mono<Void> addToAll(List<String> ids, long bytes, long objects, boolean create);

    /**
     * Adds {@code bytes} and {@code objects} to counter {@code id} only if it still holds
     * {@code expected} ({@code [bytes, objects]}; zeros also match a counter that does not
     * exist yet, which is then created) in one atomic step; completes with whether it did.
     */
    Mono<Boolean> adjust(String id, long[] expected, long bytes, long objects);

    /** The counter's current values as {@code [bytes, objects]}; zeros when it does not exist yet. */
    Mono<long[]> read(String id);

    /** Removes the counter; completes with its last values as {@code [bytes, objects]}, or empty. */
    Mono<long[]> remove(String id);

    Mono<Void> delete(String id);
}
