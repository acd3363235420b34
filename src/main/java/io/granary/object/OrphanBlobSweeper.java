package io.granary.object;

import io.granary.config.GranaryProperties;
import io.granary.lease.LeaseRunner;
import io.granary.storage.BlobInfo;
import io.granary.storage.BlobLocation;
import io.granary.storage.BlobStore;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Reclaims blobs no record points at: what a crash between writing a blob and committing its
 * metadata (or before deleting a superseded blob) leaves behind. Only blobs older than the
 * safety age are considered, so uploads in flight and commits in progress are never touched,
 * and none that a {@link BlobClaims} speaks for (the bytes of open upload intents).
 *
 * <p>A sweep walks the store's listing once and asks about its blobs {@value #BATCH} at a
 * time in one indexed query, so it costs one pass over the blobs and one index lookup per
 * blob, in memory bounded by the batch. The scheduled sweep runs under a lease: of several
 * nodes, one sweeps per period.
 */
@Component
public class OrphanBlobSweeper {

    static final int BATCH = 500;
    private static final String LEASE = "orphan-sweep";

    private static final Logger log = LoggerFactory.getLogger(OrphanBlobSweeper.class);

    private final BlobStore blobs;
    private final ObjectRepository objects;
    private final List<BlobClaims> claims;
    private final LeaseRunner leases;
    private final Duration safetyAge;
    private final Duration interval;

    OrphanBlobSweeper(BlobStore blobs, ObjectRepository objects, ObjectProvider<BlobClaims> claims, LeaseRunner leases,
                      GranaryProperties properties) {
        this.blobs = blobs;
        this.objects = objects;
        this.claims = claims.orderedStream().toList();
        this.leases = leases;
        this.safetyAge = properties.sweeper().safetyAge();
        this.interval = properties.sweeper().interval();
    }

    @Scheduled(initialDelayString = "${granary.sweeper.interval:1h}", fixedDelayString = "${granary.sweeper.interval:1h}")
    void scheduled() {
        // Due after half an interval, so the node whose own schedule asks next is not turned
        // away by the run it finished itself a moment less than an interval ago.
        long started = System.nanoTime();
        leases.runIfDue(LEASE, interval.dividedBy(2), Mono.defer(() -> sweep(Instant.now().minus(safetyAge)))).subscribe(
                removed -> log.info("Orphan sweep removed {} blob(s) in {} ms", removed,
                        Duration.ofNanos(System.nanoTime() - started).toMillis()),
                error -> log.warn("Orphan sweep failed: {}", error.toString()));
    }

    /** Deletes unreferenced blobs last written before {@code cutoff}; completes with how many. */
    public Mono<Long> sweep(Instant cutoff) {
        return blobs.list(BlobLocation.ROOT)
                .filter(blob -> blob.lastModified().isBefore(cutoff))
                .buffer(BATCH)
                .concatMap(this::unreferenced)
                .concatMap(blob -> claimed(blob.location().path())
                        .flatMap(claimed -> claimed ? Mono.<BlobInfo>empty()
                                : blobs.delete(blob.location()).thenReturn(blob)))
                .count();
    }

    /** The blobs of one batch that no record points at. */
    private Flux<BlobInfo> unreferenced(List<BlobInfo> batch) {
        return objects.referencedBlobs(batch.stream().map(blob -> blob.location().path()).toList())
                .collect(Collectors.toSet())
                .flatMapMany(referenced -> Flux.fromIterable(batch)
                        .filter(blob -> !referenced.contains(blob.location().path())));
    }

    private Mono<Boolean> claimed(String path) {
        return Flux.fromIterable(claims).concatMap(claim -> claim.claims(path)).any(Boolean::booleanValue);
    }
}
