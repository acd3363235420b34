package io.granary.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.granary.bucket.BucketRepository;
import io.granary.lease.LeaseRepository;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.data.mongodb.core.ReactiveMongoTemplate;
import org.springframework.data.mongodb.core.query.Criteria;
import org.springframework.data.mongodb.core.query.Query;
import org.springframework.data.mongodb.core.query.Update;
import org.springframework.http.HttpStatus;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * {@code POST /v1/usage/recount}: drift written straight into the counters is found and
 * corrected, only system principals may ask, one recount runs at a time, and writes racing
 * with recounts never end in drift.
 */
class UsageRecountApiTest extends ApiTestSupport {

    private static final Path OWN_DATA_DIR = tempDir();
    private static final ParameterizedTypeReference<Map<String, Object>> JSON = new ParameterizedTypeReference<>() { };

    @Autowired
    ReactiveMongoTemplate mongo;
    @Autowired
    BucketRepository buckets;
    @Autowired
    LeaseRepository leases;

    private String tenantId;
    private String admin;

    @DynamicPropertySource
    static void recount(DynamicPropertyRegistry registry) {
        registry.add("granary.test.data-dir", OWN_DATA_DIR::toString);
        registry.add("granary.usage.recount-settle", () -> "300ms");
    }

    @BeforeEach
    void tenant() {
        tenantId = createTenant(unique("recount"));
        admin = createKey(tenantId, List.of("admin"), null);
    }

    @Test
    void driftInBucketAndTenantCountersIsCorrected() {
        createBucket(admin, "drifted", Map.of());
        createBucket(admin, "uncounted", Map.of());
        createBucket(admin, "exact", Map.of());
        put("drifted", "a", 100);
        put("drifted", "b", 50);
        put("uncounted", "c", 70);
        put("exact", "d", 5);
        // What a crash between reservation and commit leaves, and objects no counter ever saw.
        setCounter("b:" + bucketId("drifted"), 1150, 4);
        mongo.remove(Query.query(Criteria.where("_id").is("b:" + bucketId("uncounted"))), "usage").block();
        setCounter("t:" + tenantId, 7, 1);

        Map<String, Object> report = recount("?tenant=" + tenantId).expectStatus().isOk()
                .expectBody(JSON).returnResult().getResponseBody();
        assertThat(report).containsEntry("tenantId", tenantId).containsEntry("trigger", "request")
                .containsEntry("tenants", 1).containsEntry("buckets", 3).containsEntry("recordsWithoutBucket", List.of());
        assertThat(drifts(report)).containsExactlyInAnyOrder(
                drift("bucket", "drifted", Map.of("bytes", 1150, "objects", 4), Map.of("bytes", 150, "objects", 2)),
                drift("bucket", "uncounted", Map.of("bytes", 0, "objects", 0), Map.of("bytes", 70, "objects", 1)),
                drift("tenant", null, Map.of("bytes", 7, "objects", 1), Map.of("bytes", 225, "objects", 4)));

        Map<String, Object> usage = usage();
        assertThat(usage.get("tenant")).isEqualTo(figures(225, 4));
        assertThat(usage.get("buckets")).isEqualTo(Map.of(
                "drifted", figures(150, 2),
                "uncounted", figures(70, 1),
                "exact", figures(5, 1)));

        // Corrected counters go on counting, and a second recount finds nothing.
        put("uncounted", "c2", 30);
        Map<String, Object> again = recount("?tenant=" + tenantId).expectStatus().isOk()
                .expectBody(JSON).returnResult().getResponseBody();
        assertThat(drifts(again)).isEmpty();
        assertThat(((Map<?, ?>) usage().get("buckets")).get("uncounted")).isEqualTo(figures(100, 2));
    }

    @Test
    void onlyTheRootKeyAndSystemAdminsRecount() {
        expectProblem(http.post().uri("/v1/usage/recount").header("X-Api-Key", admin).exchange(),
                HttpStatus.FORBIDDEN, "forbidden");
        expectProblem(http.post().uri("/v1/usage/recount?tenant=" + tenantId).header("X-Api-Key", admin).exchange(),
                HttpStatus.FORBIDDEN, "forbidden");
        String tenantAdmin = unique("ta");
        createUser(tenantId, tenantAdmin, "tenant-admin");
        expectProblem(http.post().uri("/v1/usage/recount").header("Authorization", "Bearer " + accessToken(tenantAdmin,
                USER_PASSWORD)).exchange(), HttpStatus.FORBIDDEN, "forbidden");
        expectProblem(http.post().uri("/v1/usage/recount").exchange(), HttpStatus.UNAUTHORIZED, "unauthenticated");
        expectProblem(recount("?tenant=000000000000000000000000"), HttpStatus.NOT_FOUND, "tenant_not_found");
        expectProblem(asRoot(http.get().uri("/v1/usage/recount")).exchange(), HttpStatus.METHOD_NOT_ALLOWED,
                "method_not_allowed");

        // A system admin recounts every tenant.
        String boss = unique("boss");
        createUser(null, boss, "system-admin");
        Map<String, Object> report = http.post().uri("/v1/usage/recount")
                .header("Authorization", "Bearer " + accessToken(boss, USER_PASSWORD)).exchange()
                .expectStatus().isOk().expectBody(JSON).returnResult().getResponseBody();
        assertThat(report).containsEntry("tenantId", null);
        assertThat(((Number) report.get("tenants")).longValue()).isPositive();
    }

    @Test
    void aSecondRecountWhileOneRunsIsRefused() {
        Instant now = Instant.now();
        assertThat(leases.acquire("usage-recount", "another-node", now, now.plusSeconds(60), null).block()).isNotNull();
        try {
            expectProblem(recount(""), HttpStatus.CONFLICT, "recount_running");
            expectProblem(recount("?tenant=" + tenantId), HttpStatus.CONFLICT, "recount_running");
        } finally {
            leases.release("usage-recount", "another-node", null).block();
        }
        recount("?tenant=" + tenantId).expectStatus().isOk().expectBody();
    }

    @Test
    void writesRacingWithRecountsEndWithoutDrift() throws Exception {
        createBucket(admin, "busy", Map.of());
        createBucket(admin, "quiet", Map.of());
        put("quiet", "q", 40);
        put("busy", "seed", 10);
        setCounter("b:" + bucketId("quiet"), 1040, 3);
        setCounter("b:" + bucketId("busy"), 510, 2);
        setCounter("t:" + tenantId, 2050, 5);

        AtomicBoolean writing = new AtomicBoolean(true);
        ExecutorService writers = Executors.newFixedThreadPool(4);
        List<Future<?>> done = new ArrayList<>();
        for (int w = 0; w < 4; w++) {
            done.add(writers.submit(() -> {
                ThreadLocalRandom random = ThreadLocalRandom.current();
                while (writing.get()) {
                    String key = "k" + random.nextInt(12);
                    if (random.nextInt(4) == 0) {
                        http.delete().uri("/v1/buckets/busy/objects/" + key).header("X-Api-Key", admin).exchange()
                                .expectBody();
                    } else {
                        put("busy", key, random.nextInt(2000));
                    }
                }
                return null;
            }));
        }
        List<Map<String, Object>> reports = new ArrayList<>();
        try {
            long until = System.nanoTime() + Duration.ofSeconds(4).toNanos();
            while (System.nanoTime() < until) {
                reports.add(recount("?tenant=" + tenantId).expectStatus().isOk().expectBody(JSON).returnResult()
                        .getResponseBody());
            }
        } finally {
            writing.set(false);
            for (Future<?> writer : done) {
                writer.get();
            }
            writers.shutdown();
        }

        // Whatever the recounts did while the writes went on, no counter is off by anything
        // but the drift injected (not yet corrected) or nothing (corrected).
        Map<String, Object> truthBusy = truth("busy");
        Map<String, Object> truthQuiet = truth("quiet");
        Map<?, ?> counters = (Map<?, ?>) usage().get("buckets");
        assertThat(counters.get("quiet")).isEqualTo(truthQuiet);
        assertThat(counters.get("busy")).isIn(truthBusy, shifted(truthBusy, 500, 1));
        Map<String, Object> truthTenant = shifted(truthBusy, 40, 1);
        assertThat(usage().get("tenant")).isIn(truthTenant, shifted(truthTenant, 2000, 3));
        // The quiet bucket was set right while the other one was busy.
        assertThat(reports).flatMap(UsageRecountApiTest::drifts)
                .anySatisfy(drift -> assertThat(drift).containsEntry("bucket", "quiet").containsEntry("corrected", true));

        // Once the writes have stopped, one recount sets everything right.
        recount("?tenant=" + tenantId).expectStatus().isOk().expectBody();
        Map<String, Object> usage = usage();
        assertThat(((Map<?, ?>) usage.get("buckets")).get("busy")).isEqualTo(truthBusy);
        assertThat(usage.get("tenant")).isEqualTo(truthTenant);
    }

    private org.springframework.test.web.reactive.server.WebTestClient.ResponseSpec recount(String query) {
        return asRoot(http.post().uri("/v1/usage/recount" + query)).exchange();
    }

    private void put(String bucket, String key, int size) {
        http.put().uri("/v1/buckets/{b}/objects/{k}", bucket, key).header("X-Api-Key", admin).bodyValue(new byte[size])
                .exchange().expectStatus().isOk().expectBody();
    }

    private String bucketId(String name) {
        return buckets.find(tenantId, name).block().id();
    }

    private void setCounter(String id, long bytes, long objects) {
        mongo.upsert(Query.query(Criteria.where("_id").is(id)), new Update().set("bytes", bytes).set("objects", objects),
                "usage").block();
    }

    private Map<String, Object> usage() {
        return http.get().uri("/v1/usage").header("X-Api-Key", admin).exchange().expectStatus().isOk()
                .expectBody(JSON).returnResult().getResponseBody();
    }

    /** The bucket's figures as its listing gives them. */
    @SuppressWarnings("unchecked")
    private Map<String, Object> truth(String bucket) {
        List<Map<String, Object>> objects = (List<Map<String, Object>>) http.get()
                .uri("/v1/buckets/{b}/objects?limit=1000", bucket).header("X-Api-Key", admin).exchange()
                .expectStatus().isOk().expectBody(JSON).returnResult().getResponseBody().get("objects");
        long bytes = objects.stream().mapToLong(o -> ((Number) o.get("size")).longValue()).sum();
        return figures(bytes, objects.size());
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> drifts(Map<String, Object> report) {
        return ((List<Map<String, Object>>) report.get("drifts")).stream().map(drift -> {
            Map<String, Object> essentials = new java.util.HashMap<>(drift);
            essentials.remove("tenantId");
            essentials.remove("bucketId");
            return essentials;
        }).toList();
    }

    private static Map<String, Object> drift(String scope, String bucket, Map<String, Object> counter, Map<String, Object> actual) {
        Map<String, Object> drift = new java.util.HashMap<>();
        drift.put("scope", scope);
        drift.put("bucket", bucket);
        drift.put("counter", counter);
        drift.put("actual", actual);
        drift.put("drift", Map.of("bytes", asInt(counter.get("bytes")) - asInt(actual.get("bytes")),
                "objects", asInt(counter.get("objects")) - asInt(actual.get("objects"))));
        drift.put("corrected", true);
        return drift;
    }

    /** A bucket's figures as {@code GET /v1/usage} shows them (no quotas). */
    private static Map<String, Object> figures(long bytes, long objects) {
        Map<String, Object> figures = new java.util.HashMap<>();
        figures.put("bytes", (int) bytes);
        figures.put("objects", (int) objects);
        figures.put("quotaBytes", null);
        figures.put("quotaObjects", null);
        return figures;
    }

    private static Map<String, Object> shifted(Map<String, Object> figures, long bytes, long objects) {
        return figures(asInt(figures.get("bytes")) + bytes, asInt(figures.get("objects")) + objects);
    }

    private static int asInt(Object value) {
        return ((Number) value).intValue();
    }
}
