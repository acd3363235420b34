package io.granary.upload;

import java.time.Instant;
import java.util.Collection;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Storage port for upload intents. Every state change is one conditional single-document
 * update, so concurrent completions, uploads and sweeps on any number of nodes agree.
 */
public interface UploadIntentRepository {

    Mono<UploadIntent> insert(UploadIntent intent);

    Mono<UploadIntent> find(String id);

    /**
     * Moves the intent from state {@code from} to {@code to} (with {@code rejection}, else
     * none) if it is in {@code from} and, when {@code aliveAt} is given, not expired at that
     * instant. Completes with the updated intent, or empty when the conditions did not hold.
     */
    Mono<UploadIntent> transition(String id, UploadIntent.State from, UploadIntent.State to, Instant at, Instant aliveAt,
                                  String rejection);

    /** Intents in one of {@code states} whose expiry lies before {@code cutoff}. */
    Flux<UploadIntent> expiredBefore(Collection<UploadIntent.State> states, Instant cutoff);

    /** Intents that have been in {@code state} since before {@code cutoff}. */
    Flux<UploadIntent> inStateSince(UploadIntent.State state, Instant cutoff);

    Mono<Void> remove(String id);
}
