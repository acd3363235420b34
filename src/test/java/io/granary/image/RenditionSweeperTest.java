package io.granary.image;

import static org.assertj.core.api.Assertions.assertThat;

import io.granary.api.ApiTestSupport;
import io.granary.bucket.BucketRepository;
import io.granary.storage.BlobLocation;
import io.granary.storage.BlobStore;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import io.granary.lease.LeaseRunner;
import org.bson.Document;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.core.io.buffer.DefaultDataBufferFactory;
import org.springframework.http.MediaType;
import org.springframework.data.mongodb.core.ReactiveMongoTemplate;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

/**
 * What a node stopping at the wrong moment leaves of renditions is reclaimed by the sweeper:
 * records (and blobs) of versions no object points at, and blobs no record points at, once old
 * enough; live renditions stay.
 */
class RenditionSweeperTest extends ApiTestSupport {

    @Autowired
    RenditionSweeper sweeper;
    @Autowired
    RenditionRepository renditions;
    @Autowired
    BlobStore blobs;
    @Autowired
    BucketRepository buckets;
    @Autowired
    LeaseRunner leases;
    @Autowired
    ReactiveMongoTemplate mongo;

    @Test
    void leftoversGoAndLiveRenditionsStay() throws Exception {
        String tenantId = createTenant(unique("sweep"));
        String admin = createKey(tenantId, List.of("admin"), null);
        String bucket = unique("sweep");
        createBucket(admin, bucket, Map.of());
        http.put().uri("/v1/buckets/{b}/objects/live.jpg", bucket).header("X-Api-Key", admin).contentType(MediaType.IMAGE_JPEG)
                .bodyValue(RenditionApiTest.jpeg(64, 64)).exchange().expectStatus().isOk().expectBody();
        http.get().uri("/v1/buckets/{b}/objects/live.jpg?width=10&format=png", bucket).header("X-Api-Key", admin).exchange()
                .expectStatus().isOk().expectBody();
        String bucketId = buckets.find(tenantId, bucket).block().id();

        // A record whose version is gone (its retirement never ran), with its blob.
        BlobLocation stale = BlobLocation.rendition(tenantId, bucketId, "gone0000000000000000000000", "aa-1");
        put(stale);
        renditions.insertOrGet(new StoredRendition("gone0000000000000000000000-aa", tenantId, bucketId,
                "gone0000000000000000000000", BlobLocation.of(tenantId, bucketId, "gone0000000000000000000000").path(),
                "w=10", stale.path(), 3, "image/png", 1, 1, Instant.now().minusSeconds(60))).block();
        // A blob whose record was never written.
        BlobLocation loose = BlobLocation.rendition(tenantId, bucketId, "lost0000000000000000000000", "bb-2");
        put(loose);

        // The lease of a making an earlier release kept after it ended, and one being made now.
        String ended = RenditionService.LEASE_PREFIX + unique("ended");
        leases.run(ended, false, Mono.just(1)).block();
        String making = RenditionService.LEASE_PREFIX + unique("making");
        Sinks.One<Integer> gate = Sinks.one();
        Mono<Integer> held = leases.runOnce(making, gate.asMono()).cache();
        held.subscribe();
        assertThat(lease(ended)).isNotNull();
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (lease(making) == null || lease(making).get("owner") == null) {
            assertThat(System.nanoTime()).as("the making's lease taken").isLessThan(deadline);
        }

        long removed = sweeper.sweep(Instant.now().plusSeconds(1)).block();

        assertThat(lease(ended)).as("a free lease of a making").isNull();
        assertThat(lease(making)).as("a held lease").isNotNull();
        gate.tryEmitValue(1);
        held.block();

        assertThat(removed).isGreaterThanOrEqualTo(2);
        assertThat(blobs.head(stale).blockOptional()).isEmpty();
        assertThat(blobs.head(loose).blockOptional()).isEmpty();
        assertThat(renditions.find("gone0000000000000000000000-aa").blockOptional()).isEmpty();
        List<String> left = blobs.list(BlobLocation.RENDITIONS_ROOT + tenantId + "/" + bucketId + "/")
                .map(blob -> blob.location().path()).collectList().block();
        assertThat(left).as("the live object's rendition").hasSize(1);
        http.get().uri("/v1/buckets/{b}/objects/live.jpg?width=10&format=png", bucket).header("X-Api-Key", admin).exchange()
                .expectStatus().isOk().expectBody();
    }

    private Document lease(String name) {
        return mongo.findById(name, Document.class, "leases").block();
    }

    private void put(BlobLocation location) {
        blobs.put(location, Flux.just(DefaultDataBufferFactory.sharedInstance.wrap(new byte[] {1, 2, 3})), 3L, Map.of()).block();
    }
}
