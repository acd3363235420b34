package io.granary.image;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedTransferQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * The renderer's bounded worker pool: {@code threads} named daemon threads and room for
 * {@code queue} waiting jobs. A job beyond that is refused at once with {@code 503 renderer_busy}
 * and {@code Retry-After}, instead of queueing without bound.
 *
 * <p>Submitting never blocks, so it is safe on an event loop: admission is an atomic counter, the
 * queue is lock-free ({@link LinkedTransferQueue}; the counter is what bounds it) and every
 * thread is started up front, so {@link ThreadPoolExecutor#execute} never takes its lock to add
 * one. A job that times out or whose subscriber cancels is {@linkplain Job#cancel() cancelled}:
 * a waiting job is skipped, a running one has its reader aborted and stops at its next check.
 */
final class RenderPool implements AutoCloseable {

    /** A piece of work run on the pool, told through {@link Job} when it should give up. */
    @FunctionalInterface
    interface Work<T> {
        T run(Job job) throws Exception;
    }

    private final ThreadPoolExecutor executor;
    private final int capacity;
    private final AtomicInteger admitted = new AtomicInteger();
    private final Duration timeout;

    RenderPool(int threads, int queue, Duration timeout) {
        AtomicInteger counter = new AtomicInteger();
        ClassLoader loader = RenderPool.class.getClassLoader();
        this.executor = new ThreadPoolExecutor(threads, threads, 0, TimeUnit.SECONDS, new LinkedTransferQueue<>(), runnable -> {
            Thread thread = new Thread(runnable, "granary-image-" + counter.incrementAndGet());
            thread.setDaemon(true);
            // ImageIO finds its plugins through the context class loader; an event loop's may be another.
            thread.setContextClassLoader(loader);
            return thread;
        });
        executor.prestartAllCoreThreads();
        this.capacity = threads + queue;
        this.timeout = timeout;
    }

    /** Runs {@code work} on the pool; its result is delivered on Reactor's parallel scheduler, never on a pool thread. */
    <T> Mono<T> submit(Work<T> work) {
        return Mono.defer(() -> {
            if (!admit()) {
                return Mono.error(ImageErrors.busy(1));
            }
            Job job = new Job(admitted::decrementAndGet);
            CompletableFuture<T> result = new CompletableFuture<>();
            try {
                executor.execute(() -> run(work, job, result));
            } catch (RuntimeException shutDown) {
                admitted.decrementAndGet();
                return Mono.error(ImageErrors.busy(1));
            }
            return Mono.fromFuture(result, true)
                    .doOnCancel(job::cancel)
                    .timeout(timeout, Mono.error(() -> ImageErrors.timeout(timeout.toSeconds())))
                    .doOnError(error -> job.cancel())
                    .publishOn(Schedulers.parallel());
        });
    }

    private <T> void run(Work<T> work, Job job, CompletableFuture<T> result) {
        if (!job.start()) {
            result.cancel(false); // cancelled while waiting: its place was given back then
            return;
        }
        T value = null;
        Throwable failure = null;
        try {
            value = work.run(job);
        } catch (OutOfMemoryError exhausted) {
            // This job's allocation failed (the pool's jobs together were over the heap): the node
            // goes on, the request is told to come back.
            failure = ImageErrors.busy(5);
        } catch (Throwable failed) {
            failure = failed;
        } finally {
            job.end(); // the place is free before anyone hears of the result
        }
        if (failure != null) {
            result.completeExceptionally(failure);
        } else {
            result.complete(value);
        }
    }

    private boolean admit() {
        while (true) {
            int now = admitted.get();
            if (now >= capacity) {
                return false;
            }
            if (admitted.compareAndSet(now, now + 1)) {
                return true;
            }
        }
    }

    /** Jobs admitted and not yet finished (running or waiting). */
    int inFlight() {
        return admitted.get();
    }

    @Override
    public void close() {
        executor.shutdownNow();
    }
}
