package io.granary.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.granary.api.ApiTestSupport;
import io.granary.bucket.BucketRepository;
import io.granary.config.GranaryProperties;
import io.granary.lease.LeaseRunner;
import io.granary.upload.MultipartUpload;
import io.granary.upload.MultipartUploadRepository;
import io.granary.upload.TusUploadRepository;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.data.mongodb.core.ReactiveMongoTemplate;
import org.springframework.data.mongodb.core.query.Criteria;
import org.springframework.data.mongodb.core.query.Query;
import org.springframework.http.MediaType;
import org.springframework.web.reactive.function.client.WebClient;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The lifecycle job on a real Granary (embedded MongoDB, filesystem store): it deletes what is
 * older than a rule under the rule's prefix and nothing else, as an API delete does (usage
 * figures drop), aborts old open uploads, walks past a page of objects, leaves buckets without
 * rules alone, and of two runs at once only one works. "Now" is handed to the job, so the
 * objects written a moment ago are a month old to it.
 */
class LifecycleJobTest extends ApiTestSupport {

    private static final ParameterizedTypeReference<Map<String, Object>> JSON = new ParameterizedTypeReference<>() { };

    @Autowired
    LifecycleJob job;
    @Autowired
    LeaseRunner leases;
    @Autowired
    ReactiveMongoTemplate mongo;
    @Autowired
    MultipartUploadRepository multipartUploads;
    @Autowired
    TusUploadRepository tusUploads;
    @Autowired
    BucketRepository buckets;
    @Autowired
    RuleRun ruleRun;
    @Autowired
    GranaryProperties properties;

    private String admin;
    private String bucket;
    private String plain;

    @BeforeEach
    void buckets() {
        String tenantId = createTenant(unique("expiry"));
        admin = createKey(tenantId, List.of("admin"), null);
        bucket = unique("expiry");
        plain = unique("plain");
        createBucket(admin, bucket, Map.of());
        createBucket(admin, plain, Map.of());
    }

    @Test
    void oldObjectsUnderThePrefixGoTheRestStays() throws Exception {
        put(bucket, "logs/old-1.txt", "0123456789");
        put(bucket, "logs/old-2.txt", "01234");
        put(bucket, "keep/old.txt", "abc");
        put(bucket, "logsX", "abc");
        put(plain, "logs/old.txt", "abc");
        String oldUpload = startMultipart("logs/big.bin");
        String oldTus = startTus("logs/resumable.bin");
        String otherUpload = startMultipart("keep/big.bin");
        Thread.sleep(20);
        Instant between = Instant.now();
        Thread.sleep(20);
        put(bucket, "logs/young.txt", "young");
        String youngUpload = startMultipart("logs/new.bin");
        rules(bucket, List.of(Map.of("id", "logs", "prefix", "logs/", "expireAfterDays", 30,
                "abortIncompleteUploadsAfterDays", 30)));
        Map<String, Object> usageBefore = usage(bucket);

        RuleRun.Removed removed = job.apply(between.plus(Duration.ofDays(30))).block();

        assertThat(removed).isEqualTo(new RuleRun.Removed(2, 2));
        status(bucket, "logs/old-1.txt", 404);
        status(bucket, "logs/old-2.txt", 404);
        status(bucket, "logs/young.txt", 200);
        status(bucket, "keep/old.txt", 200);
        status(bucket, "logsX", 200);
        status(plain, "logs/old.txt", 200);
        assertThat(multipartUploads.find(oldUpload).block().state()).isEqualTo(MultipartUpload.State.ABORTED);
        assertThat(multipartUploads.find(oldUpload).block().rejection()).isEqualTo("expired");
        assertThat(tusUploads.find(oldTus).blockOptional()).as("the tus upload is forgotten").isEmpty();
        assertThat(multipartUploads.find(otherUpload).block().state()).isEqualTo(MultipartUpload.State.OPEN);
        assertThat(multipartUploads.find(youngUpload).block().state()).isEqualTo(MultipartUpload.State.OPEN);

        Map<String, Object> usageAfter = usage(bucket);
        assertThat(((Number) usageAfter.get("objects")).longValue())
                .isEqualTo(((Number) usageBefore.get("objects")).longValue() - 2);
        assertThat(((Number) usageAfter.get("bytes")).longValue())
                .isEqualTo(((Number) usageBefore.get("bytes")).longValue() - 15);
        http.get().uri("/v1/audit?type=lifecycle_applied").header("X-Api-Key", admin).exchange().expectStatus().isOk()
                .expectBody()
                .jsonPath("$.events.length()").isEqualTo(1)
                .jsonPath("$.events[0].actor").isEqualTo("lifecycle")
                .jsonPath("$.events[0].target").isEqualTo("bucket:" + bucket)
                .jsonPath("$.events[0].details.rule").isEqualTo("logs")
                .jsonPath("$.events[0].details.deleted").isEqualTo("2")
                .jsonPath("$.events[0].details.aborted").isEqualTo("2");

        // A day earlier nothing is old enough; a second run finds nothing more either way.
        assertThat(job.apply(between.plus(Duration.ofDays(29))).block()).isEqualTo(RuleRun.Removed.NONE);
        assertThat(job.apply(between.plus(Duration.ofDays(30))).block()).isEqualTo(RuleRun.Removed.NONE);
    }

    @Test
    void aWholeBucketRuleWalksEveryPage() {
        int count = RuleRun.PAGE * 2 + 7;
        WebClient client = WebClient.create("http://127.0.0.1:" + port);
        Flux.range(0, count)
                .flatMap(i -> client.put().uri("/v1/buckets/{b}/objects/f/{k}", bucket, String.format("%05d", i))
                        .header("X-Api-Key", admin).contentType(MediaType.TEXT_PLAIN).bodyValue("x")
                        .retrieve().toBodilessEntity(), 8)
                .blockLast();
        rules(bucket, List.of(Map.of("id", "all", "expireAfterDays", 1)));

        RuleRun.Removed removed = job.apply(Instant.now().plus(Duration.ofDays(1)).plusSeconds(1)).block();

        assertThat(removed.objects()).isEqualTo(count);
        assertThat(usage(bucket).get("objects")).isEqualTo(0);
        http.get().uri("/v1/buckets/{b}/objects", bucket).header("X-Api-Key", admin).exchange().expectStatus().isOk()
                .expectBody().jsonPath("$.objects.length()").isEqualTo(0);
    }

    @Test
    void ofTwoRunsOnlyOneWorks() throws Exception {
        put(bucket, "a.txt", "a");
        rules(bucket, List.of(Map.of("id", "all", "expireAfterDays", 1)));
        // A scheduled run of this shared application may have recorded a finish meanwhile.
        mongo.remove(Query.query(Criteria.where("_id").is(LifecycleJob.LEASE)), "leases").block();
        Instant later = Instant.now().plus(Duration.ofDays(2));

        // Another node holds the lease: this one does nothing.
        var other = leases.run(LifecycleJob.LEASE, false, Mono.delay(Duration.ofSeconds(2))).toFuture();
        Thread.sleep(200);
        assertThat(job.runIfDue(later).blockOptional()).isEmpty();
        status(bucket, "a.txt", 200);
        other.get();

        // Two at once: one runs, the other finds the lease held (or the run already recorded).
        List<RuleRun.Removed> runs = Flux.merge(job.runIfDue(later), job.runIfDue(later)).collectList().block();
        assertThat(runs).hasSize(1);
        assertThat(runs.get(0).objects()).isGreaterThanOrEqualTo(1);
        status(bucket, "a.txt", 404);
        // Once one finished, it is not due again within the interval.
        assertThat(job.runIfDue(later).blockOptional()).isEmpty();
    }

    @Test
    void aStoppedJobDeletesNothingMoreAndLeavesTheRunToAnother() {
        put(bucket, "a.txt", "a");
        rules(bucket, List.of(Map.of("id", "all", "expireAfterDays", 1)));
        mongo.remove(Query.query(Criteria.where("_id").is(LifecycleJob.LEASE)), "leases").block();
        Instant later = Instant.now().plus(Duration.ofDays(2));
        // A second instance, as on a node whose application is stopping.
        LifecycleJob stopping = new LifecycleJob(buckets, ruleRun, leases, properties);
        stopping.stop();

        assertThatThrownBy(() -> stopping.runIfDue(later).block()).isInstanceOf(LifecycleJob.Stopped.class);
        status(bucket, "a.txt", 200);
        stopping.scheduled(); // starts nothing once stopped
        // The lease was freed without a finished run: the next node's check runs at once.
        assertThat(job.runIfDue(later).block().objects()).isGreaterThanOrEqualTo(1);
        status(bucket, "a.txt", 404);
    }

    private void rules(String name, List<Map<String, Object>> rules) {
        http.patch().uri("/v1/buckets/{b}", name).header("X-Api-Key", admin).contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Map.of("lifecycleRules", rules)).exchange().expectStatus().isOk().expectBody();
    }

    private void put(String name, String key, String body) {
        http.put().uri("/v1/buckets/{b}/objects/{k}", name, key).header("X-Api-Key", admin).contentType(MediaType.TEXT_PLAIN)
                .bodyValue(body).exchange().expectStatus().isOk().expectBody();
    }

    private void status(String name, String key, int status) {
        http.get().uri("/v1/buckets/{b}/objects/{k}", name, key).header("X-Api-Key", admin).exchange()
                .expectStatus().isEqualTo(status).expectBody();
    }

    private Map<String, Object> usage(String name) {
        Map<String, Object> usage = http.get().uri("/v1/usage").header("X-Api-Key", admin).exchange().expectStatus().isOk()
                .expectBody(JSON).returnResult().getResponseBody();
        @SuppressWarnings("unchecked")
        Map<String, Map<String, Object>> buckets = (Map<String, Map<String, Object>>) usage.get("buckets");
        return Objects.requireNonNull(buckets.get(name));
    }

    private String startMultipart(String key) {
        return (String) http.post().uri("/v1/buckets/{b}/multipart", bucket).header("X-Api-Key", admin)
                .contentType(MediaType.APPLICATION_JSON).bodyValue(Map.of("key", key)).exchange()
                .expectStatus().isCreated().expectBody(JSON).returnResult().getResponseBody().get("uploadId");
    }

    private String startTus(String key) {
        URI location = http.post().uri("/v1/tus/{b}", bucket).header("X-Api-Key", admin).header("Tus-Resumable", "1.0.0")
                .header("Upload-Length", "100")
                .header("Upload-Metadata", "key " + Base64.getEncoder().encodeToString(key.getBytes(StandardCharsets.UTF_8)))
                .exchange().expectStatus().isCreated().expectBody().isEmpty().getResponseHeaders().getLocation();
        String path = location.getPath();
        return path.substring(path.lastIndexOf('/') + 1);
    }
}
