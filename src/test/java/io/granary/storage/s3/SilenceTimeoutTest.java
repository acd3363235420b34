package io.granary.storage.s3;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Sinks;
import reactor.test.StepVerifier;
import reactor.test.scheduler.VirtualTimeScheduler;

class SilenceTimeoutTest {

    private final VirtualTimeScheduler clock = VirtualTimeScheduler.create();
    private final Sinks.Many<Integer> source = Sinks.many().unicast().onBackpressureBuffer();
    private final AtomicBoolean cancelled = new AtomicBoolean();

    @AfterEach
    void stopClock() {
        clock.dispose();
    }

    private Flux<Integer> watched() {
        return source.asFlux().doOnCancel(() -> cancelled.set(true))
                .transform(SilenceTimeout.after(Duration.ofSeconds(10), () -> new IllegalStateException("silent"), clock));
    }

    @Test
    void itemsCloserThanTheLimitKeepTheStreamAliveWhateverItsLength() {
        StepVerifier.create(watched())
                .then(() -> emitEvery(Duration.ofMillis(100), 100)) // 10 s of frequent items
                .expectNextCount(100)
                .then(() -> emitEvery(Duration.ofSeconds(9), 5)) // 45 s more, never 10 s without an item
                .expectNextCount(5)
                .then(() -> source.tryEmitComplete())
                .verifyComplete();
        assertThat(cancelled).isFalse();
        // One check per period of the limit, not one timer per item (Flux.timeout: 106).
        assertThat(clock.getScheduledTaskCount()).as("timer tasks ever scheduled").isLessThanOrEqualTo(7);
    }

    @Test
    void silenceForTheLimitFailsTheStreamAndCancelsItsSource() {
        StepVerifier.create(watched())
                .then(() -> emitEvery(Duration.ofSeconds(4), 2))
                .expectNext(0, 1)
                .then(() -> clock.advanceTimeBy(Duration.ofMillis(9_999)))
                .expectNoEvent(Duration.ZERO)
                .then(() -> clock.advanceTimeBy(Duration.ofMillis(1)))
                .expectErrorMessage("silent")
                .verify(Duration.ofSeconds(5));
        assertThat(cancelled).isTrue();
    }

    @Test
    void silenceBeforeTheFirstItemCountsToo() {
        StepVerifier.create(watched())
                .then(() -> clock.advanceTimeBy(Duration.ofSeconds(10)))
                .expectErrorMessage("silent")
                .verify(Duration.ofSeconds(5));
        assertThat(cancelled).isTrue();
    }

    @Test
    void aFinishedStreamLeavesNoTimerBehind() {
        StepVerifier.create(watched())
                .then(() -> source.tryEmitNext(1))
                .expectNext(1)
                .then(() -> source.tryEmitComplete())
                .verifyComplete();
        clock.advanceTimeBy(Duration.ofMinutes(1));
        assertThat(clock.getScheduledTaskCount()).as("only the first check, never run again").isEqualTo(1);
        assertThat(cancelled).isFalse();
    }

    @Test
    void aCancelledStreamIsNotFailedLater() {
        StepVerifier.create(watched())
                .then(() -> source.tryEmitNext(1))
                .expectNext(1)
                .thenCancel()
                .verify(Duration.ofSeconds(5));
        assertThat(cancelled).isTrue();
        clock.advanceTimeBy(Duration.ofMinutes(1));
        assertThat(clock.getScheduledTaskCount()).as("only the first check, never run again").isEqualTo(1);
    }

    private void emitEvery(Duration interval, int count) {
        for (int i = 0; i < count; i++) {
            clock.advanceTimeBy(interval);
            source.tryEmitNext(i);
        }
    }
}
