package io.granary.usage;

import io.granary.bucket.BucketService;
import io.granary.security.Authorizer;
import io.granary.security.Principal;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.stereotype.Service;
import reactor.core.publisher.Mono;

/** Usage reports: a tenant's totals and those of each bucket the caller can reach. */
@Service
public class UsageService {

    private final BucketService buckets;
    private final QuotaService quotas;

    public UsageService(BucketService buckets, QuotaService quotas) {
        this.buckets = buckets;
        this.quotas = quotas;
    }

    /** The report of a tenant key's tenant, or (for root) of the named tenant, totals only. */
    public Mono<Map<String, Object>> report(Principal principal, String tenantId) {
        if (principal.system()) {
            return quotas.ofTenant(tenantId).map(total -> Map.of("tenant", total));
        }
        Principal.Member key = Authorizer.member(principal);
        return quotas.ofTenant(key.tenantId()).flatMap(total -> buckets.list(principal)
                .concatMap(bucket -> quotas.of(bucket).map(usage -> Map.entry(bucket.name(), usage)))
                .collectList()
                .map(entries -> {
                    Map<String, Usage> perBucket = new LinkedHashMap<>();
                    entries.forEach(entry -> perBucket.put(entry.getKey(), entry.getValue()));
                    Map<String, Object> report = new LinkedHashMap<>();
                    report.put("tenant", total);
                    report.put("buckets", perBucket);
                    return report;
                }));
    }
}
