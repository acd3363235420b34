package io.granary.object;

import io.granary.config.GranaryProperties;
import io.granary.storage.BlobInfo;
import io.granary.storage.BlobLocation;
import io.granary.storage.BlobStore;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
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
 */
@Component
public class OrphanBlobSweeper {

    private static final Logger log = LoggerFactory.getLogger(OrphanBlobSweeper.class);

    private final BlobStore blobs;
    private final ObjectRepository objects;
    private final List<BlobClaims> claims;
    private final Duration safetyAge;

    OrphanBlobSweeper(BlobStore blobs, ObjectRepository objects, ObjectProvider<BlobClaims> claims,
                      GranaryProperties properties) {
        this.blobs = blobs;
        this.objects = objects;
        this.claims = claims.orderedStream().toList();
        this.safetyAge = properties.sweeper().safetyAge();
    }

    @Scheduled(initialDelayString = "${granary.sweeper.interval:1h}", fixedDelayString = "${granary.sweeper.interval:1h}")
    void scheduled() {
        sweep(Instant.now().minus(safetyAge)).subscribe(
                removed -> log.info("Orphan sweep removed {} blob(s)", removed),
                error -> log.warn("Orphan sweep failed: {}", error.toString()));
    }

    /** Deletes unreferenced blobs last written before {@code cutoff}; completes with how many. */
    public Mono<Long> sweep(Instant cutoff) {
        return blobs.list(BlobLocation.ROOT)
                .filter(blob -> blob.lastModified().isBefore(cutoff))
                .concatMap(blob -> inUse(blob.location().path())
                        .flatMap(used -> used ? Mono.<BlobInfo>empty()
                                : blobs.delete(blob.location()).thenReturn(blob)))
                .count();
    }

    private Mono<Boolean> inUse(String path) {
        return objects.referencesBlob(path).flatMap(referenced -> referenced ? Mono.just(true)
                : Flux.fromIterable(claims).concatMap(claim -> claim.claims(path)).any(Boolean::booleanValue));
    }
}
