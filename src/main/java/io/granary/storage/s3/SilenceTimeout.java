package io.granary.storage.s3;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import java.util.function.Supplier;
import org.reactivestreams.Publisher;
import org.reactivestreams.Subscription;
import reactor.core.CoreSubscriber;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Operators;
import reactor.core.scheduler.Scheduler;
import reactor.util.context.Context;

/**
 * Fails a stream that sends nothing for a while, cancelling its source.
 *
 * <p>Same contract as {@code Flux.timeout(Duration)}, at a fraction of the cost on a stream of
 * many small items: {@code timeout} schedules (and cancels) one timer task per item, which on a
 * download of tens of thousands of buffers a second means a lock and a thread wake-up per buffer.
 * Here each item only records the time; one timer task per timeout period checks it and re-arms
 * for the rest of the period, as Netty's idle handlers do. The silence is measured whatever the
 * downstream demand, as with {@code timeout}.
 */
final class SilenceTimeout {

    private SilenceTimeout() {
    }

    /** {@code source}, failed with {@code error} (and cancelled) once it is silent for {@code limit}. */
    static <T> Function<Flux<T>, Publisher<T>> after(Duration limit, Supplier<? extends Throwable> error,
                                                     Scheduler timer) {
        long limitMillis = limit.toMillis();
        Objects.requireNonNull(error, "error");
        Objects.requireNonNull(timer, "timer");
        Function<? super Publisher<T>, ? extends Publisher<T>> watched = Operators.<T, T>lift((scannable, actual) ->
                new Watch<>(Operators.serialize(actual), limitMillis, error, timer));
        return watched::apply;
    }

    private static final class Watch<T> implements CoreSubscriber<T>, Subscription, Runnable {

        private final CoreSubscriber<? super T> actual;
        private final long limitMillis;
        private final Supplier<? extends Throwable> error;
        private final Scheduler timer;
        private final AtomicBoolean done = new AtomicBoolean();
        private Subscription upstream;
        /** When the last item (or the subscription) came, on the timer's clock. */
        private volatile long lastSignal;
        private volatile Disposable check;

        Watch(CoreSubscriber<? super T> actual, long limitMillis, Supplier<? extends Throwable> error,
              Scheduler timer) {
            this.actual = actual;
            this.limitMillis = limitMillis;
            this.error = error;
            this.timer = timer;
        }

        @Override
        public Context currentContext() {
            return actual.currentContext();
        }

        @Override
        public void onSubscribe(Subscription subscription) {
            if (Operators.validate(upstream, subscription)) {
                upstream = subscription;
                lastSignal = now();
                actual.onSubscribe(this);
                arm(limitMillis);
            }
        }

        @Override
        public void onNext(T item) {
            if (done.get()) {
                Operators.onNextDropped(item, actual.currentContext());
                return;
            }
            lastSignal = now();
            actual.onNext(item);
        }

        @Override
        public void onError(Throwable failure) {
            if (finish()) {
                actual.onError(failure);
            } else {
                Operators.onErrorDropped(failure, actual.currentContext());
            }
        }

        @Override
        public void onComplete() {
            if (finish()) {
                actual.onComplete();
            }
        }

        @Override
        public void request(long n) {
            upstream.request(n);
        }

        @Override
        public void cancel() {
            finish();
            upstream.cancel();
        }

        /** The timer: fails the stream if it has been silent for the limit, else re-arms. */
        @Override
        public void run() {
            long silentFor = now() - lastSignal;
            if (silentFor < limitMillis) {
                arm(limitMillis - silentFor);
            } else if (finish()) {
                upstream.cancel();
                actual.onError(error.get());
            }
        }

        private void arm(long delayMillis) {
            if (!done.get()) {
                check = timer.schedule(this, delayMillis, TimeUnit.MILLISECONDS);
                if (done.get()) { // finished meanwhile: finish() may have missed this task
                    check.dispose();
                }
            }
        }

        /** Marks the stream done once; stops the timer. */
        private boolean finish() {
            if (!done.compareAndSet(false, true)) {
                return false;
            }
            Disposable pending = check;
            if (pending != null) {
                pending.dispose();
            }
            return true;
        }

        private long now() {
            return timer.now(TimeUnit.MILLISECONDS);
        }
    }
}
