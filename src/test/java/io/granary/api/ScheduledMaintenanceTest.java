package io.granary.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.granary.audit.AuditEvent;
import io.granary.bucket.BucketRepository;
import io.granary.lease.LeaseRepository;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.bson.Document;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.data.mongodb.core.ReactiveMongoTemplate;
import org.springframework.data.mongodb.core.query.Criteria;
import org.springframework.data.mongodb.core.query.Query;
import org.springframework.data.mongodb.core.query.Update;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The scheduled jobs that keep counters and logs true over time: the usage recount repairs
 * drift on its own, and audit events and denial counters past their retention are pruned
 * while recent ones stay.
 */
class ScheduledMaintenanceTest extends ApiTestSupport {

    private static final Path OWN_DATA_DIR = tempDir();

    @Autowired
    ReactiveMongoTemplate mongo;
    @Autowired
    BucketRepository buckets;
    @Autowired
    LeaseRepository leases;

    @DynamicPropertySource
    static void schedules(DynamicPropertyRegistry registry) {
        registry.add("granary.test.data-dir", OWN_DATA_DIR::toString);
        registry.add("granary.usage.recount-interval", () -> "2s");
        registry.add("granary.usage.recount-settle", () -> "200ms");
        registry.add("granary.audit.retention", () -> "30d");
        registry.add("granary.audit.prune-interval", () -> "1s");
    }

    @Test
    void theScheduledRecountRepairsDrift() throws InterruptedException {
        String tenantId = createTenant(unique("scheduled"));
        String admin = createKey(tenantId, List.of("admin"), null);
        createBucket(admin, "photos", Map.of());
        http.put().uri("/v1/buckets/photos/objects/a").header("X-Api-Key", admin).bodyValue(new byte[123])
                .exchange().expectStatus().isOk().expectBody();
        String bucketId = buckets.find(tenantId, "photos").block().id();
        Instant injected = Instant.now();
        setCounter("b:" + bucketId, 9000, 7);
        setCounter("t:" + tenantId, 1, 0);

        await(Duration.ofSeconds(30), () -> usage(admin).equals(Map.of(
                "tenant", figures(123, 1), "buckets", Map.of("photos", figures(123, 1)))));
        assertThat(leases.find("usage-recount").block().lastFinishedAt()).isAfter(injected);
    }

    @Test
    void auditEventsAndDenialCountersPastTheirRetentionArePruned() throws InterruptedException {
        String tenantId = createTenant(unique("pruned"));
        Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        // More old events than one batch deletes, so pruning has to go on batch after batch.
        List<AuditEvent> old = new ArrayList<>();
        for (int i = 0; i < 2500; i++) {
            old.add(event(tenantId, now.minus(31, ChronoUnit.DAYS).minusSeconds(i), "old"));
        }
        mongo.insertAll(old).then().block();
        mongo.insert(event(tenantId, now.minus(29, ChronoUnit.DAYS), "recent")).block();
        mongo.insert(new Document("_id", "ip:192.0.2.1@1").append("n", 3L)
                .append("expiresAt", now.minus(1, ChronoUnit.MINUTES)), "audit_denial_counters").block();
        mongo.insert(new Document("_id", "ip:192.0.2.1@2").append("n", 3L)
                .append("expiresAt", now.plus(1, ChronoUnit.HOURS)), "audit_denial_counters").block();

        await(Duration.ofSeconds(60), () -> auditTargets(tenantId).size() == 2
                && mongo.count(new Query(), "audit_denial_counters").block() <= 1);
        // The tenant's own creation (just now) and the recent event stay.
        assertThat(auditTargets(tenantId)).containsExactly("recent", "tenant:" + tenantId);
        assertThat(mongo.exists(Query.query(Criteria.where("_id").is("ip:192.0.2.1@2")), "audit_denial_counters").block())
                .isTrue();
    }

    private static AuditEvent event(String tenantId, Instant at, String target) {
        return new AuditEvent(new org.bson.types.ObjectId().toHexString(), at, tenantId, "bucket_created", "root", target,
                Map.of());
    }

    private List<String> auditTargets(String tenantId) {
        Map<String, Object> page = http.get().uri("/v1/audit?limit=1000&tenant=" + tenantId).header("Authorization", "Bearer " + ROOT_KEY)
                .exchange().expectStatus().isOk()
                .expectBody(new ParameterizedTypeReference<Map<String, Object>>() { })
                .returnResult().getResponseBody();
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> events = (List<Map<String, Object>>) page.get("events");
        return events.stream().map(e -> (String) e.get("target")).toList();
    }

    private void setCounter(String id, long bytes, long objects) {
        mongo.upsert(Query.query(Criteria.where("_id").is(id)), new Update().set("bytes", bytes).set("objects", objects),
                "usage").block();
    }

    private Map<String, Object> usage(String key) {
        return http.get().uri("/v1/usage").header("X-Api-Key", key).exchange().expectStatus().isOk()
                .expectBody(new ParameterizedTypeReference<Map<String, Object>>() { }).returnResult().getResponseBody();
    }

    private static Map<String, Object> figures(long bytes, long objects) {
        Map<String, Object> figures = new java.util.HashMap<>();
        figures.put("bytes", (int) bytes);
        figures.put("objects", (int) objects);
        figures.put("quotaBytes", null);
        figures.put("quotaObjects", null);
        return figures;
    }

    private static void await(Duration timeout, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("condition met within %s", timeout).isLessThan(deadline);
            Thread.sleep(200);
        }
    }
}
