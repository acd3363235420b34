package io.granary.usage;

import io.granary.bucket.Bucket;
import io.granary.bucket.BucketRepository;
import io.granary.config.GranaryProperties;
import io.granary.tenant.Tenant;
import io.granary.tenant.TenantRepository;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Recounts usage counters from the object catalogue and corrects those that drifted (a crash
 * between a reservation and its commit, a lost commit reply, a failed release, objects older
 * than the counters). A bucket's counter should equal the sum over its object records; a
 * tenant's, the sum over the records of its existing buckets.
 *
 * <p><b>Why corrections never lose a concurrent write.</b> Writes keep changing counters and
 * records while the recount reads them, and a write changes the two in separate steps: it
 * reserves (counter up) before its record becomes visible, and a delete removes the record
 * before it releases. A counter that differs from its records may therefore be a write in
 * flight, not drift, and no single moment gives counter and records consistently without
 * transactions. So a counter is only corrected once the disagreement holds still:
 * <ol>
 *   <li><b>Survey.</b> One aggregation sums the records per bucket; every counter is compared
 *       with its sum. Those that differ are suspects, nothing more (the scan is no snapshot).</li>
 *   <li><b>Look.</b> Each suspect is looked at again: counter read, records summed, counter
 *       read again. A look is steady when both reads agree.</li>
 *   <li><b>Confirm.</b> After {@code granary.usage.recount-settle}, another look. Only when two
 *       consecutive steady looks are identical (same counter, same sum; so nothing was
 *       reserved, committed or released in between that stayed) is the difference applied, as
 *       an {@code $inc} conditional on the counter still holding the value looked at
 *       ({@link UsageRepository#adjust}). A write landing after the last look makes the update
 *       match nothing: its increment is never overwritten, the counter is simply left for
 *       another look.</li>
 *   <li>A suspect whose looks keep changing is given up after {@link #LOOKS} looks and reported
 *       as not corrected; the next recount tries again. A busy counter thus waits for a quiet
 *       moment rather than being corrected by a guess.</li>
 * </ol>
 * A write whose reservation was made before the first look and that stays stalled, neither
 * committed nor released, past the settle time is indistinguishable from a crashed one and is
 * corrected as such; if it then completes after all, the counter is off by its amount until
 * the next recount. Settle times far above any write's reserve-to-commit step (milliseconds)
 * make that a matter of a node freezing, not of load.
 *
 * <p>Memory grows with the number of buckets (one sum each), never with the number of objects;
 * the database does the summing. Running two recounts at once is safe (each correction is
 * conditional), only wasteful: {@link UsageRecount} runs one at a time under a lease.
 */
@Component
class Recounter {

    /** Looks at a suspect counter at most this many times before leaving it to the next recount. */
    static final int LOOKS = 4;
    private static final int CONCURRENCY = 8;

    private static final Logger log = LoggerFactory.getLogger(Recounter.class);

    private final TenantRepository tenants;
    private final BucketRepository buckets;
    private final CatalogueTotals catalogue;
    private final UsageRepository usage;
    private final Duration settle;

    Recounter(TenantRepository tenants, BucketRepository buckets, CatalogueTotals catalogue, UsageRepository usage,
              GranaryProperties properties) {
        this.tenants = tenants;
        this.buckets = buckets;
        this.catalogue = catalogue;
        this.usage = usage;
        this.settle = properties.usage().recountSettle();
    }

    /** Recounts one tenant's counters, or ({@code tenantId} null) every tenant's. */
    Mono<RecountReport> recount(String tenantId, String trigger) {
        return Mono.defer(() -> {
            Instant started = now();
            Flux<Tenant> scope = tenantId == null ? tenants.findAll() : tenants.findById(tenantId).flux();
            return survey(tenantId, scope).flatMap(survey -> confirm(survey.suspects).map(drifts ->
                    new RecountReport(tenantId, trigger, started, now(), survey.tenants, survey.buckets, drifts,
                            survey.unowned)));
        });
    }

    private static Instant now() {
        return Instant.now().truncatedTo(ChronoUnit.MILLIS);
    }

    /** What the survey found; filled in sequence by one pipeline. */
    private static final class Survey {
        long tenants;
        long buckets;
        final List<Suspect> suspects = new ArrayList<>();
        final List<BucketTotal> unowned = new ArrayList<>();
    }

    private Mono<Survey> survey(String tenantId, Flux<Tenant> scope) {
        Survey survey = new Survey();
        return catalogue.perBucket(tenantId)
                .collectMap(BucketTotal::bucketId, total -> total, ConcurrentHashMap::new)
                .flatMap(rows -> scope.concatMap(tenant -> surveyTenant(tenant, rows, survey))
                        .then(Mono.fromCallable(() -> {
                            // Rows no bucket claimed: records of a bucket that is gone.
                            rows.values().forEach(row -> {
                                log.warn("{} object record(s) of tenant {} name bucket {}, which does not exist: {}; "
                                        + "they count in no usage counter", row.figures().objects(), row.tenantId(),
                                        row.bucketId(), row.figures());
                                survey.unowned.add(row);
                            });
                            return survey;
                        })));
    }

    private Mono<Void> surveyTenant(Tenant tenant, Map<String, BucketTotal> rows, Survey survey) {
        return buckets.findByTenant(tenant.id())
                .flatMapSequential(bucket -> {
                    BucketTotal row = rows.remove(bucket.id());
                    Figures actual = row == null ? Figures.ZERO : row.figures();
                    return usage.read(QuotaService.bucketCounter(bucket.id()))
                            .map(counter -> new Checked(bucket, Figures.of(counter), actual));
                }, CONCURRENCY)
                // In order, one at a time from here on: the survey is only changed downstream.
                .map(checked -> {
                    survey.buckets++;
                    if (!checked.counter().equals(checked.actual())) {
                        survey.suspects.add(Suspect.of(tenant.id(), checked.bucket()));
                    }
                    return checked.actual();
                })
                .reduce(Figures.ZERO, Figures::plus)
                .flatMap(total -> usage.read(QuotaService.tenantCounter(tenant.id())).doOnNext(counter -> {
                    survey.tenants++;
                    if (!Figures.of(counter).equals(total)) {
                        survey.suspects.add(Suspect.of(tenant.id(), null));
                    }
                }))
                .then();
    }

    /** A bucket's counter beside its sum in the survey. */
    private record Checked(Bucket bucket, Figures counter, Figures actual) {
    }

    /**
     * One look: a counter's value before and after its records were summed, and the sum.
     * Steady when both reads agree.
     */
    private record Look(Figures before, Figures actual, Figures after) {

        boolean steady() {
            return before.equals(after);
        }
    }

    /** A counter under suspicion, with its last two looks ({@code null} before they are taken). */
    private record Suspect(String counterId, String tenantId, Bucket bucket, Look previous, Look latest) {

        static Suspect of(String tenantId, Bucket bucket) {
            return new Suspect(bucket == null ? QuotaService.tenantCounter(tenantId) : QuotaService.bucketCounter(bucket.id()),
                    tenantId, bucket, null, null);
        }

        Suspect seen(Look look) {
            return new Suspect(counterId, tenantId, bucket, latest, look);
        }

        CounterDrift drift(boolean corrected) {
            Figures counter = latest == null ? Figures.ZERO : latest.before();
            Figures actual = latest == null ? Figures.ZERO : latest.actual();
            return new CounterDrift(bucket == null ? "tenant" : "bucket", tenantId, bucket == null ? null : bucket.id(),
                    bucket == null ? null : bucket.name(), counter, actual, counter.minus(actual), corrected);
        }

        String describe() {
            return bucket == null ? "tenant " + tenantId
                    : "bucket '" + bucket.name() + "' (" + bucket.id() + ") of tenant " + tenantId;
        }
    }

    private Mono<List<CounterDrift>> confirm(List<Suspect> suspects) {
        List<CounterDrift> drifts = new ArrayList<>();
        return looks(suspects, 0, drifts).thenReturn(drifts);
    }

    private Mono<Void> looks(List<Suspect> pending, int look, List<CounterDrift> drifts) {
        if (pending.isEmpty()) {
            return Mono.empty();
        }
        if (look == LOOKS) {
            pending.forEach(suspect -> {
                log.info("Usage counter of {} kept changing while recounted ({} against {} in the catalogue); "
                        + "left to the next recount", suspect.describe(), suspect.latest().before(), suspect.latest().actual());
                drifts.add(suspect.drift(false));
            });
            return Mono.empty();
        }
        // The first look follows the survey at once; every further one waits for writes in
        // flight to land, so that two identical looks mean the disagreement holds still.
        Mono<Long> pause = look == 0 ? Mono.just(0L) : Mono.delay(settle);
        return pause.then(lookAt(pending))
                .flatMapMany(Flux::fromIterable)
                .concatMap(suspect -> decide(suspect, drifts))
                .collectList()
                .flatMap(next -> looks(next, look + 1, drifts));
    }

    /** Emits the suspect again when it needs another look; empty when it is settled. */
    private Mono<Suspect> decide(Suspect suspect, List<CounterDrift> drifts) {
        Look latest = suspect.latest();
        if (!latest.steady()) {
            return Mono.just(suspect);
        }
        if (latest.before().equals(latest.actual())) {
            return Mono.empty(); // a write in flight during the survey: no drift
        }
        if (!latest.equals(suspect.previous())) {
            return Mono.just(suspect);
        }
        Figures correction = latest.actual().minus(latest.before());
        long[] expected = {latest.before().bytes(), latest.before().objects()};
        return usage.adjust(suspect.counterId(), expected, correction.bytes(), correction.objects())
                .flatMap(done -> {
                    if (!done) {
                        return Mono.just(suspect); // changed after the look: look again
                    }
                    log.warn("Usage counter of {} said {} but the catalogue holds {}: corrected by {} bytes / {} objects",
                            suspect.describe(), latest.before(), latest.actual(), correction.bytes(), correction.objects());
                    drifts.add(suspect.drift(true));
                    return Mono.empty();
                });
    }

    /** One look at every pending suspect, all sharing one aggregation. */
    private Mono<List<Suspect>> lookAt(List<Suspect> pending) {
        Set<String> tenantIds = pending.stream().map(Suspect::tenantId).collect(Collectors.toSet());
        String scope = tenantIds.size() == 1 ? tenantIds.iterator().next() : null;
        Mono<List<Figures>> counters = Flux.fromIterable(pending)
                .flatMapSequential(suspect -> usage.read(suspect.counterId()).map(Figures::of), CONCURRENCY)
                .collectList();
        return counters.flatMap(before -> members(pending)
                .flatMap(members -> sums(scope, pending, members))
                .flatMap(actual -> counters.map(after -> {
                    List<Suspect> seen = new ArrayList<>(pending.size());
                    for (int i = 0; i < pending.size(); i++) {
                        Suspect suspect = pending.get(i);
                        seen.add(suspect.seen(new Look(before.get(i),
                                actual.getOrDefault(suspect.counterId(), Figures.ZERO), after.get(i))));
                    }
                    return seen;
                })));
    }

    /** The ids of the existing buckets of every tenant under suspicion, by tenant. */
    private Mono<Map<String, Set<String>>> members(List<Suspect> pending) {
        return Flux.fromIterable(pending)
                .filter(suspect -> suspect.bucket() == null)
                .concatMap(suspect -> buckets.findByTenant(suspect.tenantId()).map(Bucket::id)
                        .collect(Collectors.toSet())
                        .map(ids -> Map.entry(suspect.tenantId(), ids)))
                .collectMap(Map.Entry::getKey, Map.Entry::getValue);
    }

    /** The catalogue's figures for each suspect counter, by counter id (absent: zero). */
    private Mono<Map<String, Figures>> sums(String scope, List<Suspect> pending, Map<String, Set<String>> members) {
        Map<String, String> bucketCounters = new HashMap<>();
        pending.stream().filter(suspect -> suspect.bucket() != null)
                .forEach(suspect -> bucketCounters.put(suspect.bucket().id(), suspect.counterId()));
        return catalogue.perBucket(scope)
                .<Map<String, Figures>>reduceWith(HashMap::new, (sums, row) -> {
                    String bucketCounter = bucketCounters.get(row.bucketId());
                    if (bucketCounter != null) {
                        sums.put(bucketCounter, row.figures());
                    }
                    Set<String> ofTenant = members.get(row.tenantId());
                    if (ofTenant != null && ofTenant.contains(row.bucketId())) {
                        sums.merge(QuotaService.tenantCounter(row.tenantId()), row.figures(), Figures::plus);
                    }
                    return sums;
                });
    }
}
