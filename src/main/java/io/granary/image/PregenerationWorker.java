package io.granary.image;

import io.granary.bucket.ImagePreset;
import io.granary.error.ErrorCode;
import io.granary.error.GranaryException;
import io.granary.object.FoundObject;
import io.granary.object.ObjectService;
import io.granary.security.Permission;
import io.granary.security.Principal;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;

/**
 * Makes queued renditions ({@link RenditionJob}) on every node: takes one job at a time from the
 * durable queue, woken when this node queues one and on a fixed schedule (so jobs of stopped
 * nodes, and retries, are taken too). A job is held under a lease; a node that dies mid-job lets
 * the lease lapse and another node takes the job again. A job fails for good on what retrying
 * cannot mend (the image cannot be rendered); otherwise it is retried, up to
 * {@value #MAX_ATTEMPTS} attempts, later each time. Nothing here ever fails an upload.
 */
@Component
public class PregenerationWorker {

    static final int MAX_ATTEMPTS = 5;
    /** Clients that accept WebP are most: a preset with {@code format=auto} is made for them. */
    private static final String ACCEPT = "image/webp,image/*";
    private static final Logger log = LoggerFactory.getLogger(PregenerationWorker.class);

    private final RenditionJobRepository jobs;
    private final ObjectService objects;
    private final RenditionService renditions;
    private final Duration lease;
    private final AtomicBoolean draining = new AtomicBoolean();
    private final AtomicBoolean wokenMeanwhile = new AtomicBoolean();

    PregenerationWorker(RenditionJobRepository jobs, ObjectService objects, RenditionService renditions,
                        ImageProperties properties) {
        this.jobs = jobs;
        this.objects = objects;
        this.renditions = renditions;
        // Longer than any one rendition may take (its timeout), so a live node keeps its job.
        this.lease = properties.timeout().multipliedBy(2);
    }

    @Scheduled(initialDelayString = "${granary.images.pregenerate-interval:5s}",
            fixedDelayString = "${granary.images.pregenerate-interval:5s}")
    void scheduled() {
        wake();
    }

    /** Takes and makes due jobs until none is left; a call while that runs makes it look once more. */
    public void wake() {
        if (!draining.compareAndSet(false, true)) {
            wokenMeanwhile.set(true);
            return;
        }
        wokenMeanwhile.set(false);
        drain().doFinally(signal -> {
            draining.set(false);
            if (wokenMeanwhile.getAndSet(false)) {
                wake();
            }
        }).subscribe(made -> { }, error -> log.warn("Pre-generation stopped: {}", error.toString()));
    }

    /** Runs due jobs one after another; completes with how many were taken. */
    Mono<Long> drain() {
        return take().expand(job -> run(job).then(take())).count();
    }

    private Mono<RenditionJob> take() {
        Instant now = Instant.now();
        return jobs.take(now, now.plus(lease));
    }

    private Mono<Void> run(RenditionJob job) {
        // The least authority that reads this one object: a grant for it, as a signed URL's.
        Principal reader = new Principal.Grant(job.tenantId(), job.bucketId(), job.key(), Permission.READ, null, null, null, null);
        return objects.stat(reader, job.bucketName(), job.key())
                .flatMap(found -> make(job, found))
                .then(jobs.remove(job.id()))
                .onErrorResume(error -> failed(job, error));
    }

    private Mono<Void> make(RenditionJob job, FoundObject found) {
        Optional<ImagePreset> preset = found.bucket().presets().stream()
                .filter(p -> p.pregenerate() && p.name().equals(job.preset())).findFirst();
        if (!found.object().versionId().equals(job.versionId()) || preset.isEmpty()) {
            return Mono.empty(); // replaced meanwhile, or no longer wanted: nothing to make
        }
        return renditions.rendition(found, Presets.spec(preset.get(), ACCEPT)).then();
    }

    private Mono<Void> failed(RenditionJob job, Throwable error) {
        if (error instanceof GranaryException g && g.code() == ErrorCode.OBJECT_NOT_FOUND) {
            return jobs.remove(job.id());
        }
        boolean lasting = error instanceof GranaryException g && g.code().status().is4xxClientError();
        String why = error instanceof GranaryException g ? g.code().code() + ": " + g.getMessage() : error.toString();
        if (lasting || job.attempts() >= MAX_ATTEMPTS) {
            log.warn("Pre-generating preset '{}' of {} failed for good: {}", job.preset(), job.versionId(), why);
            return jobs.release(job.id(), null, why);
        }
        // 2, 4, 8, 16 s: a busy renderer or a store outage has time to pass.
        return jobs.release(job.id(), Instant.now().plusSeconds(1L << job.attempts()), why);
    }
}
