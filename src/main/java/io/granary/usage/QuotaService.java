package io.granary.usage;

import io.granary.bucket.Bucket;
import io.granary.tenant.TenantService;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Service;
import reactor.core.publisher.Mono;

/**
 * Keeps usage counters per bucket and per tenant and enforces their quotas. A write reserves
 * its bytes and object before it becomes visible (a conditional {@code $inc} that fails rather
 * than pass a quota), and whatever stops being visible is released. Usage is counted on every
 * bucket and tenant, also without quotas, so a quota set later applies to the true figures.
 */
@Service
public class QuotaService {

    private static final Logger log = LoggerFactory.getLogger(QuotaService.class);

    private final UsageRepository usage;
    private final TenantService tenants;

    public QuotaService(UsageRepository usage, TenantService tenants) {
        this.usage = usage;
        this.tenants = tenants;
    }

    static String bucketCounter(String bucketId) {
        return "b:" + bucketId;
    }

    /** Id of a tenant's usage counter. */
    public static String tenantCounter(String tenantId) {
        return "t:" + tenantId;
    }

    /**
     * Takes {@code bytes} and {@code objects} from the bucket's and the tenant's quotas, or fails
     * with 413 {@code quota_exceeded} naming the quota, its limit and the usage.
     */
    public Mono<Void> reserve(Bucket bucket, long bytes, long objects) {
        String bucketCounter = bucketCounter(bucket.id());
        return usage.add(bucketCounter, bytes, objects, bucket.quotaBytes(), bucket.quotaObjects())
                .flatMap(inBucket -> inBucket ? Mono.<Void>empty()
                        : refusal(bucketCounter, QuotaRefusal.bucket(bucket.name()), bytes, objects,
                                bucket.quotaBytes(), bucket.quotaObjects()))
                .then(tenants.get(bucket.tenantId())
                        .flatMap(tenant -> usage.add(tenantCounter(tenant.id()), bytes, objects, tenant.quotaBytes(),
                                        tenant.quotaObjects())
                                .flatMap(inTenant -> inTenant ? Mono.<Void>empty()
                                        : refusal(tenantCounter(tenant.id()), QuotaRefusal.tenant(tenant.name()), bytes,
                                                objects, tenant.quotaBytes(), tenant.quotaObjects())))
                        // Refused or failed at the tenant: the bucket's share goes back.
                        .onErrorResume(error -> usage.subtract(bucketCounter, bytes, objects)
                                .onErrorResume(ignored -> Mono.empty())
                                .then(Mono.error(error))));
    }

    /** The refusal of a write to counter {@code id}, with its figures as they are now. */
    private Mono<Void> refusal(String id, String whose, long bytes, long objects, Long quotaBytes, Long quotaObjects) {
        return usage.read(id).flatMap(current -> Mono.error(new QuotaRefusal(whose, current[0], current[1], bytes, objects,
                quotaBytes, quotaObjects).exception()));
    }

    /**
     * Fails fast with 413 when an upload of {@code bytes} cannot fit, before its body is read.
     * {@code replaced} is the size of the version it would replace (looked up only when the
     * bucket is near its quota). The reservation made before the upload becomes visible stays
     * the authoritative check.
     */
    public Mono<Void> precheck(Bucket bucket, long bytes, Mono<Long> replaced) {
        Mono<Long> freed = replaced.defaultIfEmpty(0L).cache();
        // Without a byte quota on the bucket its counter cannot refuse: not worth a round trip.
        Mono<Void> inBucket = bucket.quotaBytes() == null ? Mono.empty() : usage.read(bucketCounter(bucket.id()))
                .flatMap(current -> fits(current[0], bytes, bucket.quotaBytes(), freed)
                        .flatMap(ok -> ok ? Mono.<Void>empty() : precheckRefusal(QuotaRefusal.bucket(bucket.name()),
                                current, bytes, bucket.quotaBytes(), freed)));
        return inBucket.then(tenants.get(bucket.tenantId()))
                .flatMap(tenant -> tenant.quotaBytes() == null ? Mono.<Void>empty()
                        : usage.read(tenantCounter(tenant.id()))
                                .flatMap(total -> fits(total[0], bytes, tenant.quotaBytes(), freed)
                                        .flatMap(ok -> ok ? Mono.<Void>empty() : precheckRefusal(
                                                QuotaRefusal.tenant(tenant.name()), total, bytes, tenant.quotaBytes(), freed))));
    }

    /** An upload of {@code bytes} replacing a version of {@code freed} bytes adds the difference. */
    private static Mono<Void> precheckRefusal(String whose, long[] current, long bytes, Long quotaBytes, Mono<Long> freed) {
        return freed.flatMap(size -> Mono.error(new QuotaRefusal(whose, current[0], current[1], Math.max(bytes - size, 0),
                0, quotaBytes, null).exception()));
    }

    private static Mono<Boolean> fits(long used, long bytes, Long quota, Mono<Long> freed) {
        if (quota == null || used + bytes <= quota) {
            return Mono.just(true);
        }
        // Like the reservation, only growth is limited: replacing an object with one no larger passes.
        return freed.map(size -> bytes <= size || used - size + bytes <= quota);
    }

    /**
     * Gives back what an object no longer visible held (negative values take instead, to
     * correct a reservation, and are never refused). Never fails: a failure is logged.
     */
    public Mono<Void> release(Bucket bucket, long bytes, long objects) {
        if (bytes == 0 && objects == 0) {
            return Mono.empty();
        }
        // Both counters in one round trip; one that does not exist (any more) is not created.
        return usage.addToAll(counters(bucket), -bytes, -objects, false)
                .onErrorResume(error -> {
                    log.error("usage of bucket {} not reduced by {} bytes / {} objects: {}", bucket.id(), bytes, objects,
                            error.toString());
                    return Mono.empty();
                });
    }

    /**
     * Whether a quota could refuse a write to {@code bucket}: the bucket or its tenant has one.
     * Writes that no quota limits need no reservation before they become visible
     * ({@link #count}).
     */
    public Mono<Boolean> limits(Bucket bucket) {
        if (limited(bucket.quotaBytes(), bucket.quotaObjects())) {
            return Mono.just(true);
        }
        return tenants.get(bucket.tenantId()).map(tenant -> limited(tenant.quotaBytes(), tenant.quotaObjects()));
    }

    private static boolean limited(Long quotaBytes, Long quotaObjects) {
        return quotaBytes != null || quotaObjects != null;
    }

    /**
     * Counts a change that no quota limits ({@link #limits} said so) on the bucket's and the
     * tenant's counter, in one round trip, creating a counter that does not exist yet. Called
     * once the change is visible, with its exact size. Never fails: a failure is logged, and the
     * counters are then off by this change until the next recount.
     */
    public Mono<Void> count(Bucket bucket, long bytes, long objects) {
        if (bytes == 0 && objects == 0) {
            return Mono.empty();
        }
        return usage.addToAll(counters(bucket), bytes, objects, true)
                .onErrorResume(error -> {
                    log.error("usage of bucket {} not changed by {} bytes / {} objects: {}", bucket.id(), bytes, objects,
                            error.toString());
                    return Mono.empty();
                });
    }

    /** The counters a change in {@code bucket} moves, the bucket's first. */
    private static List<String> counters(Bucket bucket) {
        return List.of(bucketCounter(bucket.id()), tenantCounter(bucket.tenantId()));
    }

    /** After a bucket and all its objects are gone: its usage leaves the tenant's, its counter goes. */
    public Mono<Void> forgetBucket(Bucket bucket) {
        // One atomic removal: a release landing meanwhile is either in the values taken or lost
        // with the counter, never counted twice.
        return usage.remove(bucketCounter(bucket.id()))
                .flatMap(last -> usage.subtract(tenantCounter(bucket.tenantId()), last[0], last[1]))
                .onErrorResume(error -> {
                    log.error("usage of deleted bucket {} not removed from tenant {}: {}", bucket.id(), bucket.tenantId(),
                            error.toString());
                    return Mono.empty();
                });
    }

    /** The current figures of a bucket with its quotas. */
    public Mono<Usage> of(Bucket bucket) {
        return usage.read(bucketCounter(bucket.id()))
                .map(current -> new Usage(current[0], current[1], bucket.quotaBytes(), bucket.quotaObjects()));
    }

    /** The current figures of a tenant with its quotas. */
    public Mono<Usage> ofTenant(String tenantId) {
        return tenants.get(tenantId).zipWith(usage.read(tenantCounter(tenantId)),
                (tenant, current) -> new Usage(current[0], current[1], tenant.quotaBytes(), tenant.quotaObjects()));
    }
}
