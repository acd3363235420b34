package io.granary.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.granary.audit.AuditEvent;
import io.granary.audit.AuditRepository;
import io.granary.common.Ids;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import reactor.core.publisher.Flux;

/** The audit log's filters (actor, bucket, until with since and type) and its cursor paging, over HTTP. */
class AuditFilterApiTest extends ApiTestSupport {

    @Autowired
    AuditRepository repository;

    private Map<String, Object> page(String admin, String query) {
        return http.get().uri("/v1/audit" + query).header("X-Api-Key", admin).exchange().expectStatus().isOk()
                .expectBody(new ParameterizedTypeReference<Map<String, Object>>() { }).returnResult().getResponseBody();
    }

    @SuppressWarnings("unchecked")
    private List<Map<String, Object>> events(String admin, String query) {
        return (List<Map<String, Object>>) page(admin, query).get("events");
    }

    /** Every event of the query, read page by page through the cursor; asserts each page is full but the last. */
    @SuppressWarnings("unchecked")
    private List<Map<String, Object>> allPages(String admin, String query, int limit) {
        List<Map<String, Object>> all = new ArrayList<>();
        String cursor = null;
        do {
            Map<String, Object> page = page(admin, query + "&limit=" + limit
                    + (cursor == null ? "" : "&cursor=" + URLEncoder.encode(cursor, StandardCharsets.UTF_8)));
            List<Map<String, Object>> events = (List<Map<String, Object>>) page.get("events");
            cursor = (String) page.get("nextCursor");
            assertThat(events).hasSize(cursor == null ? events.size() : limit);
            all.addAll(events);
        } while (cursor != null);
        return all;
    }

    private void signUrl(String key, String bucket, String objectKey) {
        http.post().uri("/v1/buckets/{b}/signed-urls", bucket).header("X-Api-Key", key).contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Map.of("key", objectKey)).exchange().expectStatus().isOk().expectBody();
    }

    private static List<Object> targets(List<Map<String, Object>> events) {
        return events.stream().map(event -> event.get("target")).toList();
    }

    @Test
    void actorBucketAndUntilFilterOnTheServerAndCombine() throws InterruptedException {
        String tenantId = createTenant(unique("filtered"));
        String first = createKey(tenantId, List.of("admin"), null);
        String second = createKey(tenantId, List.of("admin"), null);
        String bucket = unique("logs");
        String longer = bucket + "-x"; // its name starts with the other's: its events must not match
        createBucket(first, bucket, Map.of());
        createBucket(first, longer, Map.of());
        signUrl(first, bucket, "a.txt");
        signUrl(first, longer, "a.txt");
        Thread.sleep(5);
        Instant middle = Instant.now();
        Thread.sleep(5);
        signUrl(second, bucket, "dir/c.txt");
        http.patch().uri("/v1/buckets/{b}", bucket).header("X-Api-Key", second).contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Map.of("visibility", "public")).exchange().expectStatus().isOk().expectBody();

        List<Map<String, Object>> all = events(first, "");
        String firstActor = (String) all.stream().filter(e -> ("bucket:" + bucket).equals(e.get("target"))).findFirst()
                .orElseThrow().get("actor");
        String secondActor = (String) all.get(all.size() - 1).get("actor");
        assertThat(firstActor).startsWith("key:").isNotEqualTo(secondActor);

        assertThat(targets(events(first, "?bucket=" + bucket))).containsExactly("bucket:" + bucket,
                "object:" + bucket + "/a.txt", "object:" + bucket + "/dir/c.txt", "bucket:" + bucket);
        assertThat(targets(events(first, "?bucket=" + longer))).containsExactly("bucket:" + longer, "object:" + longer + "/a.txt");
        assertThat(events(first, "?actor=" + secondActor)).extracting(e -> e.get("type"))
                .containsExactly("signed_url_issued", "bucket_visibility_changed");
        assertThat(events(first, "?actor=" + firstActor + "&bucket=" + bucket)).extracting(e -> e.get("type"))
                .containsExactly("bucket_created", "signed_url_issued");
        assertThat(targets(events(first, "?actor=" + secondActor + "&bucket=" + bucket + "&type=signed_url_issued")))
                .containsExactly("object:" + bucket + "/dir/c.txt");
        assertThat(events(first, "?actor=root")).extracting(e -> e.get("type")).containsExactly("tenant_created",
                "key_created", "key_created");
        assertThat(events(first, "?actor=" + firstActor.toUpperCase())).isEmpty(); // exact, as recorded

        // until is exclusive and since inclusive: split at one instant, the halves make the whole.
        List<Map<String, Object>> before = events(first, "?until=" + middle);
        List<Map<String, Object>> after = events(first, "?since=" + middle);
        assertThat(targets(before)).endsWith("object:" + longer + "/a.txt").doesNotContain("object:" + bucket + "/dir/c.txt");
        List<Map<String, Object>> joined = new ArrayList<>(before);
        joined.addAll(after);
        assertThat(joined).isEqualTo(all);
        assertThat(targets(events(first, "?bucket=" + bucket + "&since=" + middle + "&until=" + Instant.now().plusSeconds(60))))
                .containsExactly("object:" + bucket + "/dir/c.txt", "bucket:" + bucket);
        assertThat(events(first, "?until=" + all.get(0).get("at"))).isEmpty();

        // Filtered pages: every page full until the last, together the one-page answer.
        assertThat(allPages(first, "?bucket=" + bucket, 1)).isEqualTo(events(first, "?bucket=" + bucket));
        assertThat(allPages(first, "?bucket=" + bucket, 3)).isEqualTo(events(first, "?bucket=" + bucket));
        assertThat(allPages(first, "?actor=" + firstActor + "&until=" + middle, 2))
                .isEqualTo(events(first, "?actor=" + firstActor + "&until=" + middle)).hasSize(4);
        assertThat(page(first, "?bucket=" + bucket + "&limit=4")).containsEntry("nextCursor", null);
    }

    @Test
    void pagesNeitherSkipNorRepeatEventsOfOneMillisecond() {
        String tenantId = createTenant(unique("instant"));
        String admin = createKey(tenantId, List.of("admin"), null);
        Instant at = Instant.now().truncatedTo(ChronoUnit.MILLIS).plusSeconds(3600);
        Flux.range(0, 7)
                .concatMap(i -> repository.insert(new AuditEvent(Ids.newId(), at, tenantId, "login", "user:same",
                        "user:same", Map.of("n", String.valueOf(i)))))
                .blockLast();
        List<Map<String, Object>> one = events(admin, "?actor=user:same");
        assertThat(one).hasSize(7);
        assertThat(allPages(admin, "?actor=user:same", 2)).isEqualTo(one);
        assertThat(allPages(admin, "?since=" + at + "&until=" + at.plusMillis(1), 3)).isEqualTo(one);
        assertThat(events(admin, "?since=" + at + "&until=" + at)).isEmpty();
    }

    @Test
    void badFiltersAreRefused() {
        String admin = newTenantAdmin();
        expectProblem(http.get().uri("/v1/audit?until=tomorrow").header("X-Api-Key", admin).exchange(),
                HttpStatus.BAD_REQUEST, "invalid_request");
        expectProblem(http.get().uri("/v1/audit?until=2026-01-31").header("X-Api-Key", admin).exchange(),
                HttpStatus.BAD_REQUEST, "invalid_request");
        expectProblem(http.get().uri("/v1/audit?bucket=Not_A_Bucket").header("X-Api-Key", admin).exchange(),
                HttpStatus.BAD_REQUEST, "invalid_bucket_name");
        expectProblem(http.get().uri("/v1/audit?cursor=garbage").header("X-Api-Key", admin).exchange(),
                HttpStatus.BAD_REQUEST, "invalid_cursor");
        // Blank parameters (an empty form field) are absent ones.
        assertThat(events(admin, "?actor=&bucket=&until=&since=&type=")).isNotEmpty();
    }
}
