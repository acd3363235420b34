package io.granary.upload;

import org.slf4j.Logger;
import reactor.core.publisher.Mono;

/** Runs a scheduled sweep in the background and logs what it did, or why it failed. */
final class SweepReports {

    private SweepReports() {
    }

    /** @param done a message with one {@code {}} for the count, logged only when it is above zero */
    static void run(Mono<Long> sweep, Logger log, String done, String name) {
        sweep.subscribe(
                swept -> {
                    if (swept > 0) {
                        log.info(done, swept);
                    }
                },
                error -> log.warn("{} sweep failed: {}", name, error.toString()));
    }
}
