package io.granary.image;

import static org.assertj.core.api.Assertions.assertThat;

import io.granary.api.ApiTestSupport;
import io.granary.bucket.BucketRepository;
import io.granary.storage.BlobLocation;
import io.granary.storage.BlobStore;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.data.mongodb.core.ReactiveMongoTemplate;
import org.springframework.http.MediaType;

/**
 * Presets marked {@code pregenerate} are made in the background after each image upload, through
 * the durable queue: ready before anyone asks, taken again when the node that took a job died,
 * and never failing the upload.
 */
class PregenerationTest extends ApiTestSupport {

    @Autowired
    MeterRegistry meters;
    @Autowired
    BlobStore blobs;
    @Autowired
    BucketRepository buckets;
    @Autowired
    RenditionJobRepository jobs;
    @Autowired
    ReactiveMongoTemplate mongo;

    private String tenantId;
    private String admin;
    private String bucket;

    @BeforeEach
    void bucketWithAPregeneratedPreset() {
        tenantId = createTenant(unique("pre"));
        admin = createKey(tenantId, List.of("admin"), null);
        bucket = unique("pre");
        createBucket(admin, bucket, Map.of());
        http.put().uri("/v1/buckets/{b}/image-presets", bucket).header("X-Api-Key", admin).contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Map.of("presets", List.of(
                        Map.of("name", "thumb", "transform", Map.of("width", 24, "format", "png"), "pregenerate", true),
                        Map.of("name", "lazy", "transform", Map.of("width", 12, "format", "png")))))
                .exchange().expectStatus().isNoContent().expectBody();
    }

    @Test
    void anUploadedImageGetsItsPresetMadeBeforeAnyoneAsks() throws Exception {
        put("a.jpg", RenditionApiTest.jpeg(96, 48), MediaType.IMAGE_JPEG);
        awaitTrue(() -> renditionBlobs().size() == 1);
        double made = made();
        byte[] thumb = http.get().uri("/v1/buckets/{b}/objects/a.jpg?preset=thumb", bucket).header("X-Api-Key", admin).exchange()
                .expectStatus().isOk().expectBody(byte[].class).returnResult().getResponseBody();
        assertThat(javax.imageio.ImageIO.read(new java.io.ByteArrayInputStream(thumb)).getWidth()).isEqualTo(24);
        assertThat(made()).as("served from the kept rendition").isEqualTo(made);
        // A text file in the same bucket queues nothing.
        put("b.txt", "text".getBytes(), MediaType.TEXT_PLAIN);
        String bucketId = buckets.find(tenantId, bucket).block().id();
        assertThat(mongo.count(org.springframework.data.mongodb.core.query.Query.query(
                org.springframework.data.mongodb.core.query.Criteria.where("bucketId").is(bucketId)), RenditionJob.class).block())
                .isZero();
    }

    @Test
    void aJobWhoseWorkerDiedIsTakenAgain() throws Exception {
        put("b.jpg", RenditionApiTest.jpeg(64, 64), MediaType.IMAGE_JPEG);
        awaitTrue(() -> renditionBlobs().size() == 1);
        String version = http.head().uri("/v1/buckets/{b}/objects/b.jpg", bucket).header("X-Api-Key", admin).exchange()
                .expectBody().returnResult().getResponseHeaders().getFirst("X-Version-Id");
        // As a node that took the job and stopped leaves it: running, its lease lapsed. (The
        // preset changed meanwhile, so the job makes a rendition that does not exist yet.)
        http.put().uri("/v1/buckets/{b}/image-presets", bucket).header("X-Api-Key", admin).contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Map.of("presets", List.of(
                        Map.of("name", "thumb", "transform", Map.of("width", 20, "format", "png"), "pregenerate", true))))
                .exchange().expectStatus().isNoContent().expectBody();
        Instant past = Instant.now().minusSeconds(60);
        mongo.insert(new RenditionJob(version + ":thumb", tenantId, buckets.find(tenantId, bucket).block().id(), bucket, "b.jpg",
                version, "thumb", RenditionJob.State.RUNNING, 1, past, past, null, past)).block();
        awaitTrue(() -> renditionBlobs().size() == 2);
        awaitTrue(() -> mongo.findById(version + ":thumb", RenditionJob.class).blockOptional().isEmpty());
    }

    @Test
    void anImageThatCannotBeRenderedFailsItsJobNotItsUpload() throws Exception {
        byte[] whole = RenditionApiTest.jpeg(200, 200);
        put("cut.jpg", java.util.Arrays.copyOf(whole, whole.length / 3), MediaType.IMAGE_JPEG);
        String version = http.head().uri("/v1/buckets/{b}/objects/cut.jpg", bucket).header("X-Api-Key", admin).exchange()
                .expectStatus().isOk().expectBody().returnResult().getResponseHeaders().getFirst("X-Version-Id");
        awaitTrue(() -> mongo.findById(version + ":thumb", RenditionJob.class).blockOptional()
                .map(job -> job.state() == RenditionJob.State.FAILED).orElse(false));
        RenditionJob failed = mongo.findById(version + ":thumb", RenditionJob.class).block();
        assertThat(failed.attempts()).as("not retried: retrying cannot mend it").isEqualTo(1);
        assertThat(failed.lastError()).startsWith("image_corrupt");
        assertThat(renditionBlobs()).isEmpty();
    }

    private void put(String key, byte[] bytes, MediaType type) {
        http.put().uri("/v1/buckets/{b}/objects/{k}", bucket, key).header("X-Api-Key", admin).contentType(type)
                .bodyValue(bytes).exchange().expectStatus().isOk().expectBody();
    }

    private List<String> renditionBlobs() {
        String prefix = BlobLocation.RENDITIONS_ROOT + tenantId + "/" + buckets.find(tenantId, bucket).block().id() + "/";
        return blobs.list(prefix).map(blob -> blob.location().path()).collectList().block();
    }

    private double made() {
        return meters.counter("granary.renditions.made").count();
    }

    private static void awaitTrue(Supplier<Boolean> condition) throws InterruptedException {
        for (int i = 0; i < 100 && !condition.get(); i++) {
            Thread.sleep(100);
        }
        assertThat(condition.get()).as("within ten seconds").isTrue();
    }
}
