package io.granary.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

/** Refusals beyond a caller's allowance within a second are held back; other callers and the next second are not. */
class RefusalPacerTest {

    private final AtomicLong clock = new AtomicLong(5_000_000_000L);
    private final RefusalPacer pacer = new RefusalPacer(3, Duration.ofSeconds(30), clock::get);

    @Test
    void refusalsBeyondTheAllowanceAreAnsweredAfterTheDelay() {
        for (int i = 0; i < 3; i++) {
            StepVerifier.create(pacer.pace("key:a", Mono.just("refused"))).expectNext("refused").verifyComplete();
        }
        // The fourth within the same second waits out the delay (virtual time: no real wait).
        StepVerifier.withVirtualTime(() -> pacer.pace("key:a", Mono.just("refused")))
                .expectSubscription()
                .expectNoEvent(Duration.ofSeconds(29))
                .thenAwait(Duration.ofSeconds(1))
                .expectNext("refused").verifyComplete();
        // Another caller is not held back for it.
        StepVerifier.create(pacer.pace("ip:10.0.0.1", Mono.just("refused"))).expectNext("refused").verifyComplete();
        // In the next second the caller starts again.
        clock.addAndGet(1_000_000_000L);
        StepVerifier.create(pacer.pace("key:a", Mono.just("refused"))).expectNext("refused").verifyComplete();
    }

    @Test
    void aZeroDelayPacesNothing() {
        RefusalPacer off = new RefusalPacer(0, Duration.ZERO, clock::get);
        Mono<String> answer = Mono.just("refused");
        assertThat(off.pace("key:a", answer)).isSameAs(answer);
    }
}
