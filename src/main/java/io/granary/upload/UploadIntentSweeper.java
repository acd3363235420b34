package io.granary.upload;

import io.granary.object.DirectUploadService;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Ends upload intents nobody completes and reclaims their bytes, every
 * {@code granary.uploads.sweep-interval}. Each step is a conditional update, so several nodes
 * sweeping at once, or a completion racing with a sweep, never both act on one intent.
 * <ol>
 *   <li>An intent stuck in {@code completing} for {@link #STUCK} (its node died mid-way, or
 *       could not record the outcome) is settled by what the catalogue says: {@code completed}
 *       if a record points at its version, else back to {@code pending}.</li>
 *   <li>A {@code pending} intent past its expiry becomes {@code expired}, and whatever arrived
 *       for it is deleted (unless a record points at it).</li>
 *   <li>An ended intent ({@code completed}, {@code rejected}, {@code expired}) is forgotten
 *       {@link #RETENTION} after its expiry, when its URL has long stopped working: what may
 *       have arrived for it since is deleted (unless a record points at it), then the intent.
 *       Until then, completing it again answers as documented instead of 404.</li>
 * </ol>
 */
@Component
class UploadIntentSweeper {

    /** Far longer than any completion takes (one read of at most 5 GiB, one scan). */
    static final Duration STUCK = Duration.ofHours(1);
    static final Duration RETENTION = Duration.ofDays(1);

    private static final Logger log = LoggerFactory.getLogger(UploadIntentSweeper.class);

    private final UploadIntentRepository intents;
    private final DirectUploadService uploads;

    UploadIntentSweeper(UploadIntentRepository intents, DirectUploadService uploads) {
        this.intents = intents;
        this.uploads = uploads;
    }

    @Scheduled(initialDelayString = "${granary.uploads.sweep-interval:10m}", fixedDelayString = "${granary.uploads.sweep-interval:10m}")
    void scheduled() {
        sweep(Instant.now()).subscribe(
                swept -> {
                    if (swept > 0) {
                        log.info("Upload sweep ended or forgot {} upload intent(s)", swept);
                    }
                },
                error -> log.warn("Upload sweep failed: {}", error.toString()));
    }

    /** One sweep as of {@code now}; completes with how many intents it changed or removed. */
    Mono<Long> sweep(Instant now) {
        Flux<Boolean> unstuck = intents.inStateSince(UploadIntent.State.COMPLETING, now.minus(STUCK))
                .concatMap(intent -> uploads.published(intent.upload())
                        .flatMap(published -> intents.transition(intent.id(), UploadIntent.State.COMPLETING,
                                published ? UploadIntent.State.COMPLETED : UploadIntent.State.PENDING, now, null, null))
                        .hasElement());
        Flux<Boolean> expired = intents.expiredBefore(List.of(UploadIntent.State.PENDING), now)
                .concatMap(intent -> intents.transition(intent.id(), UploadIntent.State.PENDING,
                                UploadIntent.State.EXPIRED, now, null, null)
                        // Only the sweep that ended it deletes; a completion that won keeps its bytes.
                        .flatMap(ended -> uploads.discard(ended.upload()).thenReturn(true))
                        .defaultIfEmpty(false));
        Flux<Boolean> forgotten = intents.expiredBefore(List.of(UploadIntent.State.COMPLETED, UploadIntent.State.REJECTED,
                        UploadIntent.State.EXPIRED), now.minus(RETENTION))
                .concatMap(intent -> uploads.discard(intent.upload()).then(intents.remove(intent.id())).thenReturn(true));
        return Flux.concat(unstuck, expired, forgotten).filter(Boolean::booleanValue).count();
    }
}
