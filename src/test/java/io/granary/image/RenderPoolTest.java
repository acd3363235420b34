package io.granary.image;

import static org.assertj.core.api.Assertions.assertThat;

import io.granary.error.ErrorCode;
import io.granary.error.GranaryException;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import reactor.test.StepVerifier;

class RenderPoolTest {

    /** Work that holds its thread until {@code release} opens. */
    private static RenderPool.Work<String> blocked(CountDownLatch started, CountDownLatch release) {
        return job -> {
            started.countDown();
            release.await(30, TimeUnit.SECONDS);
            return "done";
        };
    }

    @Test
    void aFullPoolAnswers503WithRetryAfterAtOnce() throws InterruptedException {
        try (RenderPool pool = new RenderPool(1, 0, Duration.ofSeconds(30))) {
            CountDownLatch started = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            Mono<String> first = pool.submit(blocked(started, release)).subscribeOn(Schedulers.parallel()).cache();
            first.subscribe();
            assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();
            StepVerifier.create(pool.submit(job -> "second").subscribeOn(Schedulers.parallel()))
                    .expectErrorSatisfies(error -> {
                        GranaryException busy = (GranaryException) error;
                        assertThat(busy.code()).isEqualTo(ErrorCode.RENDERER_BUSY);
                        assertThat(busy.code().status().value()).isEqualTo(503);
                        assertThat(busy.responseHeaders()).containsEntry("Retry-After", "1");
                    })
                    .verify(Duration.ofSeconds(5));
            release.countDown();
            StepVerifier.create(first).expectNext("done").verifyComplete();
            StepVerifier.create(pool.submit(job -> "third")).expectNext("third").verifyComplete();
        }
    }

    @Test
    void theQueueHoldsItsShareAndNoMore() throws InterruptedException {
        try (RenderPool pool = new RenderPool(1, 1, Duration.ofSeconds(30))) {
            CountDownLatch started = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            Mono<String> running = pool.submit(blocked(started, release)).cache();
            running.subscribe();
            assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();
            Mono<String> queued = pool.submit(job -> "queued").cache();
            queued.subscribe();
            assertThat(pool.inFlight()).isEqualTo(2);
            StepVerifier.create(pool.submit(job -> "refused"))
                    .expectErrorSatisfies(error -> assertThat(((GranaryException) error).code()).isEqualTo(ErrorCode.RENDERER_BUSY))
                    .verify(Duration.ofSeconds(5));
            release.countDown();
            StepVerifier.create(queued).expectNext("queued").verifyComplete();
            StepVerifier.create(running).expectNext("done").verifyComplete();
        }
    }

    @Test
    void aSlowJobTimesOutWith503AndIsCancelled() throws InterruptedException {
        try (RenderPool pool = new RenderPool(1, 0, Duration.ofMillis(200))) {
            AtomicReference<Job> seen = new AtomicReference<>();
            CountDownLatch ended = new CountDownLatch(1);
            StepVerifier.create(pool.submit(job -> {
                seen.set(job);
                while (!job.cancelled()) {
                    Thread.sleep(10);
                }
                ended.countDown();
                return "late";
            })).expectErrorSatisfies(error -> {
                GranaryException timeout = (GranaryException) error;
                assertThat(timeout.code()).isEqualTo(ErrorCode.RENDER_TIMEOUT);
                assertThat(timeout.code().status().value()).isEqualTo(503);
            }).verify(Duration.ofSeconds(5));
            assertThat(ended.await(5, TimeUnit.SECONDS)).as("the job was told to stop").isTrue();
            assertThat(seen.get().cancelled()).isTrue();
        }
    }

    @Test
    void aCancelledWaitingJobNeverRuns() throws InterruptedException {
        try (RenderPool pool = new RenderPool(1, 1, Duration.ofSeconds(30))) {
            CountDownLatch started = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            Mono<String> running = pool.submit(blocked(started, release)).cache();
            running.subscribe();
            assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();
            AtomicInteger runs = new AtomicInteger();
            Disposable waiting = pool.submit(job -> runs.incrementAndGet()).subscribe();
            assertThat(pool.inFlight()).isEqualTo(2);
            waiting.dispose();
            assertThat(pool.inFlight()).as("its place is given back at once").isEqualTo(1);
            StepVerifier.create(pool.submit(job -> "meanwhile")).expectSubscription().then(release::countDown)
                    .expectNext("meanwhile").verifyComplete();
            StepVerifier.create(running).expectNext("done").verifyComplete();
            StepVerifier.create(pool.submit(job -> "after")).expectNext("after").verifyComplete();
            assertThat(runs.get()).isZero();
            assertThat(pool.inFlight()).isZero();
        }
    }

    @Test
    void resultsArriveOffThePoolAndFailuresPassThrough() {
        try (RenderPool pool = new RenderPool(1, 0, Duration.ofSeconds(30))) {
            StepVerifier.create(pool.submit(job -> Thread.currentThread().getName()).map(worker -> worker + "|" + Thread.currentThread().getName()))
                    .assertNext(names -> {
                        assertThat(names).startsWith("granary-image-");
                        assertThat(names.substring(names.indexOf('|') + 1)).doesNotStartWith("granary-image-");
                    })
                    .verifyComplete();
            StepVerifier.create(pool.submit(job -> {
                throw ImageErrors.corrupt("test");
            })).expectErrorSatisfies(error -> assertThat(((GranaryException) error).code()).isEqualTo(ErrorCode.IMAGE_CORRUPT)).verify();
            StepVerifier.create(pool.submit(job -> {
                throw new OutOfMemoryError("test");
            })).expectErrorSatisfies(error -> assertThat(((GranaryException) error).code()).isEqualTo(ErrorCode.RENDERER_BUSY)).verify();
            assertThat(pool.inFlight()).isZero();
        }
    }
}
