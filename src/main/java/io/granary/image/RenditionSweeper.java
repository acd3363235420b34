package io.granary.image;

import io.granary.config.GranaryProperties;
import io.granary.lease.LeaseRunner;
import io.granary.object.ObjectService;
import io.granary.storage.BlobInfo;
import io.granary.storage.BlobLocation;
import io.granary.storage.BlobStore;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Reclaims what renditions leave behind when a node stops at the wrong moment: records (and
 * their blobs) whose source version no object points at any more, and rendition blobs no
 * record points at, once older than the sweeper's safety age (a rendition being made is never
 * touched), and the leases of makings that never ended. Batches of {@value #BATCH}, one indexed question per batch, under a lease: of several
 * nodes, one sweeps per period, on the orphan sweeper's schedule.
 */
@Component
public class RenditionSweeper {

    static final int BATCH = 500;
    private static final String LEASE = "rendition-sweep";
    private static final Logger log = LoggerFactory.getLogger(RenditionSweeper.class);

    private final RenditionRepository renditions;
    private final ObjectService objects;
    private final BlobStore blobs;
    private final LeaseRunner leases;
    private final Duration safetyAge;
    private final Duration interval;

    RenditionSweeper(RenditionRepository renditions, ObjectService objects, BlobStore blobs, LeaseRunner leases,
                     GranaryProperties properties) {
        this.renditions = renditions;
        this.objects = objects;
        this.blobs = blobs;
        this.leases = leases;
        this.safetyAge = properties.sweeper().safetyAge();
        this.interval = properties.sweeper().interval();
    }

    @Scheduled(initialDelayString = "${granary.sweeper.interval:1h}", fixedDelayString = "${granary.sweeper.interval:1h}")
    void scheduled() {
        leases.runIfDue(LEASE, interval.dividedBy(2), Mono.defer(() -> sweep(Instant.now().minus(safetyAge)))).subscribe(
                removed -> log.info("Rendition sweep removed {} rendition(s), blob(s) and lease(s)", removed),
                error -> log.warn("Rendition sweep failed: {}", error.toString()));
    }

    /**
     * Deletes renditions of versions no object points at, unrecorded blobs written before
     * {@code cutoff}, and free leases of makings; completes with how many things went.
     */
    public Mono<Long> sweep(Instant cutoff) {
        Mono<Long> retired = renditions.findAll()
                .filter(rendition -> rendition.createdAt().isBefore(cutoff))
                .buffer(BATCH)
                .concatMap(batch -> objects.currentBlobs(batch.stream().map(StoredRendition::sourceBlob).distinct().toList())
                        .collect(HashSet<String>::new, Set::add)
                        .flatMapMany(current -> Flux.fromIterable(batch).filter(r -> !current.contains(r.sourceBlob()))))
                .concatMap(rendition -> blobs.delete(rendition.location()).then(renditions.delete(rendition.id())).thenReturn(1))
                .count();
        Mono<Long> unrecorded = blobs.list(BlobLocation.RENDITIONS_ROOT)
                .filter(blob -> blob.lastModified().isBefore(cutoff))
                .buffer(BATCH)
                .concatMap(this::unrecorded)
                .concatMap(blob -> blobs.delete(blob.location()).thenReturn(blob))
                .count();
        Mono<Long> leases = this.leases.forgetFree(RenditionService.LEASE_PREFIX);
        return retired.flatMap(records -> unrecorded.flatMap(loose -> leases.map(free -> records + loose + free)));
    }

    private Flux<BlobInfo> unrecorded(List<BlobInfo> batch) {
        return renditions.referencedBlobs(batch.stream().map(blob -> blob.location().path()).toList())
                .collect(HashSet<String>::new, Set::add)
                .flatMapMany(recorded -> Flux.fromIterable(batch).filter(blob -> !recorded.contains(blob.location().path())));
    }
}
