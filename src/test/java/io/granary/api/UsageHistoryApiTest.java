package io.granary.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.bson.Document;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.data.mongodb.core.ReactiveMongoTemplate;
import org.springframework.data.mongodb.core.query.Criteria;
import org.springframework.data.mongodb.core.query.Query;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;

/**
 * {@code GET /v1/usage/history}: requests and downloads are counted per bucket and tenant on
 * every path (the hot read path, WebFlux, signed URLs, {@code /public}), stored figures are
 * snapshotted and today's are live, days past the retention are deleted, and the answer follows
 * the access rules and validation of {@code GET /v1/usage}.
 */
class UsageHistoryApiTest extends ApiTestSupport {

    private static final Path OWN_DATA_DIR = tempDir();
    private static final ParameterizedTypeReference<Map<String, Object>> JSON = new ParameterizedTypeReference<>() { };
    private static final Pattern HOT_READS = Pattern.compile("(?m)^granary_hot_reads_total(?:\\{[^}]*})? ([0-9.E]+)$");
    private static final String HISTORY = "usage_history";

    @Autowired
    ReactiveMongoTemplate mongo;

    @DynamicPropertySource
    static void history(DynamicPropertyRegistry registry) {
        registry.add("granary.test.data-dir", OWN_DATA_DIR::toString);
        registry.add("granary.usage.history.flush-interval", () -> "200ms");
        registry.add("granary.usage.history.snapshot-interval", () -> "1s");
    }

    @Test
    void requestsAndDownloadsAreCountedOnEveryPath() throws InterruptedException {
        String tenantName = unique("hist");
        String tenantId = createTenant(tenantName);
        String admin = createKey(tenantId, List.of("admin"), null);
        createBucket(admin, "photos", Map.of());
        createBucket(admin, "site", Map.of("visibility", "public"));
        // Another tenant's traffic, to a bucket of the same name, counts for that tenant only.
        String other = newTenantAdmin();
        createBucket(other, "photos", Map.of());
        put(other, "photos", "x", new byte[10]);

        put(admin, "photos", "a.bin", new byte[1000]);                                   // 1 request
        get(admin, "/v1/buckets/photos/objects/a.bin", 1000);                          // 2: fills the cache
        double before = hotReads();
        for (int i = 0; i < 3; i++) {
            get(admin, "/v1/buckets/photos/objects/a.bin", 1000);                      // 5
        }
        assertThat(hotReads()).as("answered on the hot read path").isEqualTo(before + 3);
        get(admin, "/v1/buckets/photos/objects/a.bin?full=1", 1000);                   // 6: through WebFlux
        http.head().uri("/v1/buckets/photos/objects/a.bin").header("X-Api-Key", admin).exchange()
                .expectStatus().isOk().expectBody().isEmpty();                          // 7: no body
        http.get().uri("/v1/buckets/photos/objects/a.bin").header("X-Api-Key", admin).header(HttpHeaders.RANGE, "bytes=0-99")
                .exchange().expectStatus().isEqualTo(HttpStatus.PARTIAL_CONTENT)
                .expectBody(byte[].class).value(bytes -> assertThat(bytes).hasSize(100));   // 8
        expectProblem(http.get().uri("/v1/buckets/photos/objects/missing").header("X-Api-Key", admin).exchange(),
                HttpStatus.NOT_FOUND, "object_not_found");                               // 9: an error body is no download
        http.get().uri("/v1/buckets/photos/objects").header("X-Api-Key", admin).exchange()
                .expectStatus().isOk().expectBody();                                     // 10: a listing is no download

        put(admin, "site", "index.html", new byte[100]);                                  // 1
        http.get().uri("/public/{t}/site/index.html", tenantName).exchange().expectStatus().isOk()
                .expectBody(byte[].class).value(bytes -> assertThat(bytes).hasSize(100));   // 2
        String signed = (String) http.post().uri("/v1/buckets/site/signed-urls").header("X-Api-Key", admin)
                .contentType(MediaType.APPLICATION_JSON).bodyValue(Map.of("key", "index.html")).exchange()
                .expectStatus().isOk().expectBody(JSON).returnResult().getResponseBody().get("url");   // 3
        http.get().uri(URI.create(signed)).exchange().expectStatus().isOk()
                .expectBody(byte[].class).value(bytes -> assertThat(bytes).hasSize(100));   // 4
        // A bucket that does not exist counts nowhere.
        expectProblem(http.get().uri("/v1/buckets/nowhere/objects/a").header("X-Api-Key", admin).exchange(),
                HttpStatus.NOT_FOUND, "bucket_not_found");

        await(() -> totals(admin, "?bucket=photos")[0] >= 10 && totals(admin, "?bucket=site")[0] >= 4
                && totals(admin, "")[0] >= 14);
        Thread.sleep(600); // three more flushes: nothing counted twice, nothing late
        assertThat(totals(admin, "?bucket=photos")).containsExactly(10, 1000 * 5 + 100);
        assertThat(totals(admin, "?bucket=site")).containsExactly(4, 200);
        assertThat(totals(admin, "")).as("the tenant: both buckets").containsExactly(14, 5300);
        assertThat(totals(other, "")).containsExactly(1, 0);
        assertThat(mongo.findById(tenantId + "/*/" + today(), Document.class, HISTORY).block())
                .as("the tenant's row").isNotNull();
        assertThat(mongo.count(Query.query(Criteria.where("tenantId").is(tenantId)), HISTORY).block())
                .as("rows of photos, site and the tenant; none for 'nowhere'").isEqualTo(3);
    }

    @Test
    void storedFiguresAreSnapshottedAndTodaysAreLive() throws InterruptedException {
        String tenantId = createTenant(unique("snap"));
        String admin = createKey(tenantId, List.of("admin"), null);
        createBucket(admin, "docs", Map.of());
        put(admin, "docs", "a", new byte[300]);
        put(admin, "docs", "b", new byte[200]);
        String bucketId = bucketId(tenantId, "docs");
        LocalDate today = today();

        await(() -> stored(tenantId + "/" + bucketId + "/" + today).equals(List.of(500L, 2L))
                && stored(tenantId + "/*/" + today).equals(List.of(500L, 2L)));

        // A day of history as an earlier snapshot and flushes left it; the days around it have none.
        mongo.insert(new Document("_id", tenantId + "/" + bucketId + "/" + today.minusDays(3)).append("tenantId", tenantId)
                .append("bucketId", bucketId).append("day", midnight(today.minusDays(3))).append("bytes", 123L)
                .append("objects", 4L).append("requests", 7L).append("bytesDownloaded", 9L), HISTORY).block();
        put(admin, "docs", "c", new byte[50]);
        Map<String, Object> history = history(admin, "?bucket=docs&from=" + today.minusDays(5) + "&to=" + today)
                .expectStatus().isOk().expectBody(JSON).returnResult().getResponseBody();
        assertThat(history).containsEntry("tenantId", tenantId).containsEntry("bucket", "docs")
                .containsEntry("from", today.minusDays(5).toString()).containsEntry("to", today.toString());
        List<Map<String, Object>> days = days(history);
        assertThat(days).hasSize(6);
        assertThat(days.get(0)).isEqualTo(day(today.minusDays(5), null, null, 0, 0));
        assertThat(days.get(2)).isEqualTo(day(today.minusDays(3), 123, 4, 7, 9));
        assertThat(days.get(3)).isEqualTo(day(today.minusDays(2), null, null, 0, 0));
        // Today's stored figures are the counters', even before a snapshot took the last upload in.
        assertThat(days.get(5)).containsEntry("date", today.toString()).containsEntry("bytes", 550)
                .containsEntry("objects", 3);
    }

    @Test
    void daysPastTheRetentionAreDeleted() throws InterruptedException {
        String tenantId = createTenant(unique("old"));
        LocalDate today = today();
        for (int age : new int[] {401, 400, 10}) {
            LocalDate day = today.minusDays(age);
            mongo.insert(new Document("_id", tenantId + "/*/" + day).append("tenantId", tenantId).append("bucketId", "*")
                    .append("day", midnight(day)).append("requests", 1L).append("bytesDownloaded", 0L), HISTORY).block();
        }
        await(() -> mongo.findById(tenantId + "/*/" + today.minusDays(401), Document.class, HISTORY).block() == null);
        assertThat(mongo.findById(tenantId + "/*/" + today.minusDays(400), Document.class, HISTORY).block()).isNotNull();
        assertThat(mongo.findById(tenantId + "/*/" + today.minusDays(10), Document.class, HISTORY).block()).isNotNull();
    }

    @Test
    void accessFollowsTheRulesOfUsage() {
        String tenantName = unique("rules");
        String tenantId = createTenant(tenantName);
        String admin = createKey(tenantId, List.of("admin"), null);
        createBucket(admin, "mine", Map.of());
        createBucket(admin, "theirs", Map.of());
        put(admin, "mine", "a", new byte[1]);
        String otherTenant = newTenantAdmin();
        createBucket(otherTenant, "foreign", Map.of());

        String scoped = createKey(tenantId, List.of("read"), List.of("mine"));
        history(scoped, "?bucket=mine").expectStatus().isOk().expectBody().jsonPath("$.bucket").isEqualTo("mine");
        history(scoped, "").expectStatus().isOk().expectBody().jsonPath("$.tenantId").isEqualTo(tenantId);
        expectProblem(history(scoped, "?bucket=theirs"), HttpStatus.FORBIDDEN, "forbidden");
        // Another tenant's bucket does not exist for this tenant, and ?tenant= does not reach it.
        expectProblem(history(admin, "?bucket=foreign"), HttpStatus.NOT_FOUND, "bucket_not_found");
        history(admin, "?tenant=00000000000000000000000a").expectStatus().isOk().expectBody()
                .jsonPath("$.tenantId").isEqualTo(tenantId);

        // A tenant's user reads it as a key does.
        String member = unique("member");
        createUser(tenantId, member, "member");
        http.get().uri("/v1/usage/history?bucket=mine").header("Authorization", "Bearer " + accessToken(member, USER_PASSWORD))
                .exchange().expectStatus().isOk().expectBody().jsonPath("$.bucket").isEqualTo("mine");

        // Root names the tenant (by id or name), and reads its totals only.
        expectProblem(asRoot(http.get().uri("/v1/usage/history")).exchange(), HttpStatus.BAD_REQUEST, "invalid_request");
        asRoot(http.get().uri("/v1/usage/history?tenant={t}", tenantName)).exchange().expectStatus().isOk()
                .expectBody().jsonPath("$.tenantId").isEqualTo(tenantId).jsonPath("$.bucket").isEmpty()
                .jsonPath("$.days.length()").isEqualTo(30);
        asRoot(http.get().uri("/v1/usage/history?tenant={t}", tenantId)).exchange().expectStatus().isOk()
                .expectBody().jsonPath("$.tenantId").isEqualTo(tenantId);
        expectProblem(asRoot(http.get().uri("/v1/usage/history?tenant={t}&bucket=mine", tenantId)).exchange(),
                HttpStatus.FORBIDDEN, "forbidden");
        expectProblem(asRoot(http.get().uri("/v1/usage/history?tenant=nosuchtenant")).exchange(),
                HttpStatus.NOT_FOUND, "tenant_not_found");

        // A signed URL's token is no credential for usage.
        String signed = (String) http.post().uri("/v1/buckets/mine/signed-urls").header("X-Api-Key", admin)
                .contentType(MediaType.APPLICATION_JSON).bodyValue(Map.of("key", "a")).exchange()
                .expectStatus().isOk().expectBody(JSON).returnResult().getResponseBody().get("url");
        String token = URI.create(signed).getRawQuery();
        expectProblem(http.get().uri("/v1/usage/history?" + token).exchange(), HttpStatus.FORBIDDEN, "forbidden");
        expectProblem(http.get().uri("/v1/usage/history").exchange(), HttpStatus.UNAUTHORIZED, "unauthenticated");
        expectProblem(http.post().uri("/v1/usage/history").header("X-Api-Key", admin).exchange(),
                HttpStatus.METHOD_NOT_ALLOWED, "method_not_allowed");
    }

    @Test
    void rangesAreValidated() {
        String admin = newTenantAdmin();
        LocalDate today = today();
        Map<String, Object> defaults = history(admin, "").expectStatus().isOk().expectBody(JSON).returnResult().getResponseBody();
        assertThat(days(defaults)).hasSize(30);
        assertThat(defaults).containsEntry("from", today.minusDays(29).toString()).containsEntry("to", today.toString())
                .containsEntry("bucket", null);
        assertThat(days(defaults).get(29)).containsEntry("date", today.toString()).containsEntry("bytes", 0)
                .containsEntry("requests", 0);

        Map<String, Object> longest = history(admin, "?from=2025-01-01&to=2026-02-04").expectStatus().isOk()
                .expectBody(JSON).returnResult().getResponseBody();
        assertThat(days(longest)).hasSize(400);
        assertThat(days(longest).get(399)).containsEntry("date", "2026-02-04");
        assertThat(days(history(admin, "?to=2026-03-01").expectStatus().isOk().expectBody(JSON).returnResult()
                .getResponseBody()).get(0)).containsEntry("date", "2026-01-31");

        for (String query : List.of("?from=2025-01-01&to=2026-02-05", "?from=2026-02-30", "?from=yesterday", "?to=26-01-01",
                "?from=+999999999-12-31", "?from=2026-03-02&to=2026-03-01", "?from=" + today.plusDays(1))) {
            expectProblem(history(admin, query), HttpStatus.BAD_REQUEST, "invalid_request");
        }
        history(admin, "?from=2026-03-02&to=2026-03-01").expectStatus().isBadRequest().expectBody()
                .jsonPath("$.detail").isEqualTo("'from' (2026-03-02) is after 'to' (2026-03-01).");
    }

    private WebTestClient.ResponseSpec history(String key, String query) {
        return http.get().uri("/v1/usage/history" + query).header("X-Api-Key", key).exchange();
    }

    /** Requests and bytes downloaded summed over the default 30 days (robust to a test run across midnight). */
    private long[] totals(String key, String query) {
        List<Map<String, Object>> days = days(history(key, query).expectStatus().isOk().expectBody(JSON).returnResult()
                .getResponseBody());
        long requests = 0;
        long downloaded = 0;
        for (Map<String, Object> day : days) {
            requests += ((Number) day.get("requests")).longValue();
            downloaded += ((Number) day.get("bytesDownloaded")).longValue();
        }
        return new long[] {requests, downloaded};
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> days(Map<String, Object> history) {
        return (List<Map<String, Object>>) history.get("days");
    }

    private static Map<String, Object> day(LocalDate date, Integer bytes, Integer objects, int requests, int downloaded) {
        Map<String, Object> day = new LinkedHashMap<>();
        day.put("date", date.toString());
        day.put("bytes", bytes);
        day.put("objects", objects);
        day.put("requests", requests);
        day.put("bytesDownloaded", downloaded);
        return day;
    }

    /** A snapshot row's stored figures, {@code [bytes, objects]}, or an empty list when there is none yet. */
    private List<Long> stored(String id) {
        Document row = mongo.findById(id, Document.class, HISTORY).block();
        return row == null || row.get("bytes") == null ? List.of()
                : List.of(((Number) row.get("bytes")).longValue(), ((Number) row.get("objects")).longValue());
    }

    private String bucketId(String tenantId, String name) {
        return mongo.findOne(Query.query(Criteria.where("tenantId").is(tenantId).and("name").is(name)), Document.class, "buckets")
                .block().get("_id").toString();
    }

    private void put(String key, String bucket, String object, byte[] body) {
        http.put().uri("/v1/buckets/{b}/objects/{k}", bucket, object).header("X-Api-Key", key)
                .contentType(MediaType.APPLICATION_OCTET_STREAM).bodyValue(body).exchange().expectStatus().isOk().expectBody();
    }

    private void get(String key, String path, int size) {
        http.get().uri(path).header("X-Api-Key", key).exchange().expectStatus().isOk()
                .expectBody(byte[].class).value(bytes -> assertThat(bytes).hasSize(size));
    }

    private double hotReads() {
        String metrics = http.get().uri("/actuator/prometheus").exchange().expectStatus().isOk()
                .expectBody(String.class).returnResult().getResponseBody();
        Matcher matcher = HOT_READS.matcher(metrics);
        return matcher.find() ? Double.parseDouble(matcher.group(1)) : 0;
    }

    private static LocalDate today() {
        return LocalDate.now(ZoneOffset.UTC);
    }

    private static Date midnight(LocalDate day) {
        return Date.from(day.atStartOfDay(ZoneOffset.UTC).toInstant());
    }

    private static void await(BooleanSupplier condition) throws InterruptedException {
        Duration timeout = Duration.ofSeconds(20);
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("condition met within %s", timeout).isLessThan(deadline);
            Thread.sleep(100);
        }
    }
}
