package io.granary.usage;

import io.granary.config.GranaryProperties;
import io.granary.error.ErrorCode;
import io.granary.error.GranaryException;
import io.granary.lease.LeaseHeldException;
import io.granary.lease.LeaseRunner;
import io.granary.security.Authorizer;
import io.granary.security.Principal;
import io.granary.tenant.TenantService;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Service;
import reactor.core.publisher.Mono;

/**
 * Runs usage recounts ({@link Recounter}), on request and on schedule, one at a time in the
 * whole installation: each holds the lease {@value #LEASE} in MongoDB while it runs. A request
 * arriving meanwhile is refused with {@code 409 recount_running} rather than joined, because
 * the running recount may be on another node. A full recount that ends well is recorded, and
 * the schedule counts the interval from it, whichever node ran it and why.
 */
@Service
public class UsageRecount {

    static final String LEASE = "usage-recount";

    private static final Logger log = LoggerFactory.getLogger(UsageRecount.class);

    private final Recounter recounter;
    private final LeaseRunner leases;
    private final TenantService tenants;
    private final Duration interval;

    UsageRecount(Recounter recounter, LeaseRunner leases, TenantService tenants, GranaryProperties properties) {
        this.recounter = recounter;
        this.leases = leases;
        this.tenants = tenants;
        this.interval = properties.usage().recountInterval();
    }

    /**
     * Recounts now, for the root key or a system admin: every tenant, or only
     * {@code tenantId} ({@code 404 tenant_not_found} when there is none). Completes with the
     * report once done, or fails with {@code 409 recount_running} while another runs.
     */
    public Mono<RecountReport> onRequest(Principal principal, String tenantId) {
        return Mono.defer(() -> {
            Authorizer.requireSystem(principal);
            Mono<Void> known = tenantId == null ? Mono.empty() : tenants.get(tenantId).then();
            return known.then(leases.run(LEASE, tenantId == null, recounter.recount(tenantId, "request")))
                    .onErrorMap(LeaseHeldException.class, held -> new GranaryException(ErrorCode.RECOUNT_RUNNING,
                            "A usage recount is running" + (held.holder().since() == null ? "" : " since " + held.holder().since())
                                    + "; try again once it has finished."))
                    .doOnNext(UsageRecount::logSummary);
        });
    }

    /** The scheduled recount of every tenant, if none ran within the interval; empty otherwise. */
    Mono<RecountReport> ifDue() {
        return leases.runIfDue(LEASE, interval, recounter.recount(null, "schedule")).doOnNext(UsageRecount::logSummary);
    }

    private static void logSummary(RecountReport report) {
        long corrected = report.corrected();
        log.info("Usage recount ({}{}) checked {} tenant(s) and {} bucket(s) in {} ms: {} counter(s) corrected, {} left "
                        + "changing, {} bucket(s) of object records without a bucket", report.trigger(),
                report.tenantId() == null ? ", all tenants" : ", tenant " + report.tenantId(), report.tenants(),
                report.buckets(), Duration.between(report.startedAt(), report.finishedAt()).toMillis(), corrected,
                report.drifts().size() - corrected, report.recordsWithoutBucket().size());
    }
}
