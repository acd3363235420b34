package io.granary.image;

import io.granary.bucket.Bucket;
import io.granary.bucket.ImagePreset;
import io.granary.object.DerivedBlobs;
import io.granary.object.StoredObject;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import org.springframework.context.annotation.Lazy;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Queues the renditions a bucket's presets ask to have ready ({@code pregenerate}) for each image
 * version written to it, whichever way it was written, and wakes this node's worker. Queuing is
 * one insert per preset; the making happens later, on any node ({@link PregenerationWorker}).
 */
@Component
class PregenerationQueue implements DerivedBlobs {

    private final RenditionJobRepository jobs;
    private final RenditionService renditions;
    private final PregenerationWorker worker;

    // Lazy: the worker reads objects through the object service, which this queue is part of.
    PregenerationQueue(RenditionJobRepository jobs, @Lazy RenditionService renditions, @Lazy PregenerationWorker worker) {
        this.jobs = jobs;
        this.renditions = renditions;
        this.worker = worker;
    }

    @Override
    public Mono<Void> versionPublished(Bucket bucket, StoredObject version) {
        if (bucket.presets().stream().noneMatch(ImagePreset::pregenerate) || !renditions.renders(version)) {
            return Mono.empty();
        }
        Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        return Flux.fromIterable(bucket.presets()).filter(ImagePreset::pregenerate)
                .concatMap(preset -> jobs.enqueue(new RenditionJob(version.versionId() + ":" + preset.name(),
                        bucket.tenantId(), bucket.id(), bucket.name(), version.key(), version.versionId(), preset.name(),
                        RenditionJob.State.QUEUED, 0, now, null, null, now)))
                .then(Mono.fromRunnable(worker::wake));
    }
}
