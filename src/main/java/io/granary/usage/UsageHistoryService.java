package io.granary.usage;

import io.granary.bucket.BucketService;
import io.granary.security.Authorizer;
import io.granary.security.Principal;
import io.granary.tenant.TenantService;
import java.time.Clock;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Service;
import reactor.core.publisher.Mono;

/**
 * Daily usage histories, as {@code GET /v1/usage/history} answers them, with the access rules of
 * {@code GET /v1/usage}: a tenant's key or user reads its tenant's history and that of any bucket
 * it can reach; the root key and system admins read a named tenant's history (no bucket's: they
 * do not see buckets, unless a system admin acts in the tenant); signed URLs read none.
 *
 * <p>The rows come from the history ({@link TrafficFlusher} adds the traffic, {@link HistorySnapshots}
 * the stored figures). Today's stored figures are the counters' current ones instead of the last
 * snapshot's, so a chart's last point is never up to an interval behind.
 */
@Service
public class UsageHistoryService {

    private final TenantService tenants;
    private final BucketService buckets;
    private final QuotaService quotas;
    private final UsageHistoryRepository history;
    private final Clock clock;

    @Autowired
    UsageHistoryService(TenantService tenants, BucketService buckets, QuotaService quotas, UsageHistoryRepository history) {
        this(tenants, buckets, quotas, history, Clock.systemUTC());
    }

    UsageHistoryService(TenantService tenants, BucketService buckets, QuotaService quotas, UsageHistoryRepository history,
                        Clock clock) {
        this.tenants = tenants;
        this.buckets = buckets;
        this.quotas = quotas;
        this.history = history;
        this.clock = clock;
    }

    /** Today, in UTC: the days of the history are UTC days. */
    public LocalDate today() {
        return LocalDate.now(clock);
    }

    /**
     * The history of a tenant ({@code bucket} null) or of one of its buckets over {@code range}.
     *
     * @param tenantId for system principals, the tenant's id ({@code 404 tenant_not_found} when
     *     none has it); ignored for everyone else, who get their own tenant's
     * @param bucket a bucket's name: {@code 404 bucket_not_found} when the tenant has none of
     *     that name, {@code 403 forbidden} when the caller cannot reach it or is a system principal
     */
    public Mono<UsageHistory> history(Principal principal, String tenantId, String bucket, HistoryRange range) {
        return Mono.defer(() -> scope(principal, tenantId, bucket)).flatMap(scope -> {
            LocalDate today = today();
            Mono<Optional<Usage>> live = range.contains(today) ? scope.live().map(Optional::of) : Mono.just(Optional.empty());
            return history.find(scope.tenantId(), scope.bucketId(), range.from(), range.to())
                    .collectMap(DailyUsage::day, Function.identity())
                    .zipWith(live, (rows, now) -> new UsageHistory(scope.tenantId(), bucket, range.from(), range.to(),
                            days(range, rows, today, now.orElse(null))));
        });
    }

    /** Whose history is asked for, and where its current figures are. */
    private record Scope(String tenantId, String bucketId, Mono<Usage> live) {
    }

    private Mono<Scope> scope(Principal principal, String tenantId, String bucket) {
        if (principal.system()) {
            if (bucket != null) {
                Authorizer.member(principal); // refuses, with the advice that fits the principal
            }
            return tenants.get(tenantId).map(tenant -> new Scope(tenant.id(), DailyUsage.TENANT, quotas.ofTenant(tenant.id())));
        }
        Principal.Member member = Authorizer.member(principal);
        if (bucket == null) {
            return Mono.just(new Scope(member.tenantId(), DailyUsage.TENANT, quotas.ofTenant(member.tenantId())));
        }
        return buckets.describe(principal, bucket).map(found -> new Scope(found.tenantId(), found.id(), quotas.of(found)));
    }

    private static List<UsageHistory.Day> days(HistoryRange range, Map<LocalDate, DailyUsage> rows, LocalDate today,
                                               Usage live) {
        List<UsageHistory.Day> days = new ArrayList<>();
        for (LocalDate day = range.from(); !day.isAfter(range.to()); day = day.plusDays(1)) {
            DailyUsage row = rows.get(day);
            Long bytes = row == null ? null : row.bytes();
            Long objects = row == null ? null : row.objects();
            if (live != null && day.equals(today)) {
                bytes = live.bytes();
                objects = live.objects();
            }
            days.add(new UsageHistory.Day(day, bytes, objects, row == null ? 0 : row.requests(),
                    row == null ? 0 : row.bytesDownloaded()));
        }
        return days;
    }
}
