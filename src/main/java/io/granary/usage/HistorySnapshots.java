package io.granary.usage;

import io.granary.bucket.BucketRepository;
import io.granary.config.GranaryProperties;
import io.granary.lease.LeaseRunner;
import io.granary.tenant.Tenant;
import io.granary.tenant.TenantRepository;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.scheduling.annotation.SchedulingConfigurer;
import org.springframework.scheduling.config.FixedDelayTask;
import org.springframework.scheduling.config.ScheduledTaskRegistrar;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The usage history's daily job: writes today's stored bytes and objects of every tenant and
 * bucket, read from the usage counters ({@link QuotaService}), and deletes the rows of days more
 * than {@value #RETENTION_DAYS} days old. It runs every {@code granary.usage.history.snapshot-interval}
 * (default hourly), each run setting today's figures again, so a past day keeps those of its
 * last run, taken within an interval of its end.
 *
 * <p>Of all nodes one runs it per interval, under the lease {@value #LEASE}; every node checks
 * every tenth of the interval (at most every {@link LeaseRunner#MAX_CHECK}) whether it is due, as
 * {@link RecountScheduler} does, so an installation whose nodes restart often still takes its
 * snapshots. Two runs at once would do no harm (each row is set, not added to), only double work.
 * Deleting explicitly is what keeps the retention on servers without TTL indexes; on MongoDB a TTL
 * index backs it up ({@link MongoUsageHistoryRepository}).
 */
@Component
class HistorySnapshots implements SchedulingConfigurer {

    /** Days of history kept before today. */
    static final int RETENTION_DAYS = 400;
    static final String LEASE = "usage-history-snapshot";
    private static final int CONCURRENCY = 8;
    private static final int BATCH = 500;

    private static final Logger log = LoggerFactory.getLogger(HistorySnapshots.class);

    private final TenantRepository tenants;
    private final BucketRepository buckets;
    private final UsageRepository usage;
    private final UsageHistoryRepository history;
    private final LeaseRunner leases;
    private final Duration interval;
    private final Duration check;

    HistorySnapshots(TenantRepository tenants, BucketRepository buckets, UsageRepository usage,
                     UsageHistoryRepository history, LeaseRunner leases, GranaryProperties properties) {
        this.tenants = tenants;
        this.buckets = buckets;
        this.usage = usage;
        this.history = history;
        this.leases = leases;
        this.interval = properties.usage().history().snapshotInterval();
        this.check = LeaseRunner.checkPeriod(interval);
    }

    @Override
    public void configureTasks(ScheduledTaskRegistrar registrar) {
        registrar.addFixedDelayTask(new FixedDelayTask(this::scheduled, check, check));
    }

    void scheduled() {
        leases.runIfDue(LEASE, interval, Mono.defer(() -> run(LocalDate.now(ZoneOffset.UTC)))).subscribe(
                done -> {
                    if (done.deleted() > 0) {
                        log.info("Usage history: {} row(s) of days before {} deleted", done.deleted(),
                                done.day().minusDays(RETENTION_DAYS));
                    }
                },
                error -> log.warn("Usage history snapshot failed: {}", error.toString()));
    }

    /**
     * What one run did.
     *
     * @param day the day it wrote
     * @param rows the rows it wrote (tenants and buckets)
     * @param deleted the rows it deleted
     */
    record Done(LocalDate day, long rows, long deleted) {
    }

    /** Writes {@code today}'s figures of every tenant and bucket, then deletes what is past the retention. */
    Mono<Done> run(LocalDate today) {
        Mono<Long> written = tenants.findAll()
                .concatMap(tenant -> figures(tenant, today))
                .buffer(BATCH)
                .concatMap(rows -> history.snapshot(rows).thenReturn((long) rows.size()))
                .reduce(0L, Long::sum);
        return written.flatMap(rows -> history.deleteBefore(today.minusDays(RETENTION_DAYS))
                .map(deleted -> new Done(today, rows, deleted)));
    }

    /** The tenant's row and its buckets' rows, from their counters as they are now. */
    private Flux<DailyUsage> figures(Tenant tenant, LocalDate today) {
        Mono<DailyUsage> total = usage.read(QuotaService.tenantCounter(tenant.id()))
                .map(counter -> DailyUsage.stored(tenant.id(), DailyUsage.TENANT, today, counter[0], counter[1]));
        Flux<DailyUsage> perBucket = buckets.findByTenant(tenant.id())
                .flatMapSequential(bucket -> usage.read(QuotaService.bucketCounter(bucket.id()))
                        .map(counter -> DailyUsage.stored(tenant.id(), bucket.id(), today, counter[0], counter[1])), CONCURRENCY);
        return Flux.concat(total, perBucket);
    }
}
