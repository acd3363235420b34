package io.granary.lifecycle;

import io.granary.bucket.BucketRepository;
import io.granary.config.GranaryProperties;
import io.granary.lease.LeaseRunner;
import jakarta.annotation.PreDestroy;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.scheduling.annotation.SchedulingConfigurer;
import org.springframework.scheduling.config.FixedDelayTask;
import org.springframework.scheduling.config.ScheduledTaskRegistrar;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Applies the lifecycle rules of every bucket that has some, every {@code granary.lifecycle.interval}
 * (default hourly), one rule after another ({@link RuleRun}).
 *
 * <p>Of all nodes one runs it per interval, under the lease {@value #LEASE}; every node checks
 * every tenth of the interval (at most every {@link LeaseRunner#MAX_CHECK}) whether it is due, as the usage
 * history does. When the application stops, a run ends after the object it is deleting and
 * frees the lease without recording a finished run, so another node takes the work up at its
 * next check; what was deleted stays deleted, and the rest is found again by the next run.
 */
@Component
class LifecycleJob implements SchedulingConfigurer {

    static final String LEASE = "lifecycle";
    /** How long stopping the application waits for a run to reach its next object. */
    private static final Duration STOP_WAIT = Duration.ofSeconds(30);

    private static final Logger log = LoggerFactory.getLogger(LifecycleJob.class);

    private final BucketRepository buckets;
    private final RuleRun rules;
    private final LeaseRunner leases;
    private final Duration interval;
    private final Duration check;
    private volatile boolean stopping;
    private volatile CompletableFuture<?> running = CompletableFuture.completedFuture(null);

    LifecycleJob(BucketRepository buckets, RuleRun rules, LeaseRunner leases, GranaryProperties properties) {
        this.buckets = buckets;
        this.rules = rules;
        this.leases = leases;
        this.interval = properties.lifecycle().interval();
        this.check = LeaseRunner.checkPeriod(interval);
    }

    @Override
    public void configureTasks(ScheduledTaskRegistrar registrar) {
        registrar.addFixedDelayTask(new FixedDelayTask(this::scheduled, check, check));
    }

    void scheduled() {
        if (stopping || !running.isDone()) {
            return;
        }
        running = runIfDue(Instant.now()).toFuture().whenComplete((done, error) -> {
            if (error instanceof Stopped || error != null && error.getCause() instanceof Stopped) {
                log.info("Lifecycle run stopped with the application; another run continues it");
            } else if (error != null) {
                log.warn("Lifecycle run failed: {}", error.toString());
            } else if (done != null && !done.equals(RuleRun.Removed.NONE)) {
                log.info("Lifecycle rules deleted {} object(s) and aborted {} upload(s)", done.objects(), done.uploads());
            }
        });
    }

    /** Lets a run in progress end at its next object, and waits a little for it. */
    @PreDestroy
    void stop() {
        stopping = true;
        try {
            running.get(STOP_WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            // Ended badly or not in time: either way there is nothing more to wait for.
        }
    }

    /** Runs {@link #apply} under the lease if no node ran it within the interval; empty otherwise. */
    Mono<RuleRun.Removed> runIfDue(Instant now) {
        return leases.runIfDue(LEASE, interval, Mono.defer(() -> apply(now)));
    }

    /** Applies every bucket's rules as of {@code now}; fails with {@link Stopped} when the application stopped it. */
    Mono<RuleRun.Removed> apply(Instant now) {
        // Read first, as a run may take longer than a server keeps an idle cursor open.
        return buckets.withLifecycleRules().collectList().flatMapMany(Flux::fromIterable)
                .concatMap(bucket -> Flux.fromIterable(bucket.lifecycle())
                        .concatMap(rule -> rules.apply(bucket, rule, now, () -> stopping)))
                .reduce(RuleRun.Removed.NONE, RuleRun.Removed::plus)
                .flatMap(removed -> stopping ? Mono.error(new Stopped()) : Mono.just(removed));
    }

    /** The run was cut short by the application stopping; its lease is freed as for a failed run. */
    static final class Stopped extends RuntimeException {

        Stopped() {
            super("stopped with the application", null, false, false);
        }
    }
}
