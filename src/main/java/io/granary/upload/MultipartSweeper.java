package io.granary.upload;

import io.granary.object.DirectUploadService;
import java.time.Duration;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Ends multipart uploads nobody finishes, every {@code granary.multipart.sweep-interval}. Each
 * step is a conditional update, so several nodes sweeping at once, or a client racing a sweep,
 * never both act on one upload.
 * <ol>
 *   <li>An upload {@code open} for longer than {@code granary.multipart.expire-after} is
 *       aborted ({@code rejection: expired}) and its parts are freed in the store and the record.</li>
 *   <li>An upload stuck {@code completing} for {@link #STUCK} (its node died) is settled by the
 *       catalogue: {@code completed} if a record points at its version, else aborted, its parts
 *       and any joined bytes freed.</li>
 *   <li>An ended upload is forgotten {@link #RETENTION} after it ended; until then a repeated
 *       completion or abort answers as documented instead of 404.</li>
 *   <li>A multipart upload the store holds that was started more than {@code expire-after} +
 *       {@link #STUCK} ago is aborted there, recorded or not. Every recorded one was ended by
 *       the first step by then; an unrecorded one is left by a node that died between starting
 *       it in the store and recording it (or mid-way through a streamed PUT), and nothing else
 *       would ever free its parts.</li>
 * </ol>
 */
@Component
class MultipartSweeper {

    static final Duration STUCK = Duration.ofHours(1);
    static final Duration RETENTION = Duration.ofDays(1);

    private static final Logger log = LoggerFactory.getLogger(MultipartSweeper.class);

    private final MultipartUploadRepository repository;
    private final MultipartService multipart;
    private final DirectUploadService uploads;

    MultipartSweeper(MultipartUploadRepository repository, MultipartService multipart, DirectUploadService uploads) {
        this.repository = repository;
        this.multipart = multipart;
        this.uploads = uploads;
    }

    @Scheduled(initialDelayString = "${granary.multipart.sweep-interval:10m}",
            fixedDelayString = "${granary.multipart.sweep-interval:10m}")
    void scheduled() {
        SweepReports.run(sweep(Instant.now()), log, "Multipart sweep ended or forgot {} upload(s)", "Multipart");
    }

    /** One sweep as of {@code now}; completes with how many uploads it changed or removed. */
    Mono<Long> sweep(Instant now) {
        Flux<Boolean> expired = repository.openSince(now.minus(multipart.expireAfter()))
                .concatMap(upload -> multipart.expire(upload, now).hasElement());
        Flux<Boolean> unstuck = repository.inStateSince(MultipartUpload.State.COMPLETING, now.minus(STUCK))
                .concatMap(upload -> uploads.published(upload.upload()).flatMap(published -> published
                        ? repository.transition(upload.id(), MultipartUpload.State.COMPLETING,
                                MultipartUpload.State.COMPLETED, now, upload.completedWith(), null, null, true).hasElement()
                        : repository.transition(upload.id(), MultipartUpload.State.COMPLETING,
                                        MultipartUpload.State.ABORTED, now, upload.completedWith(), null, "stuck", true)
                                .flatMap(aborted -> multipart.freeParts(aborted).then(uploads.discard(aborted.upload()))
                                        .thenReturn(true))
                                .defaultIfEmpty(false)));
        Flux<Boolean> forgotten = Flux.concat(
                        repository.inStateSince(MultipartUpload.State.COMPLETED, now.minus(RETENTION)),
                        repository.inStateSince(MultipartUpload.State.FAILED, now.minus(RETENTION)),
                        repository.inStateSince(MultipartUpload.State.ABORTED, now.minus(RETENTION)))
                .concatMap(upload -> repository.remove(upload.id()).thenReturn(true));
        Mono<Long> unrecorded = Mono.defer(() -> multipart.abortInStoreStartedBefore(
                        now.minus(multipart.expireAfter()).minus(STUCK)))
                // A store that may not list its uploads (no s3:ListBucketMultipartUploads) keeps
                // them; the steps above are done either way.
                .onErrorResume(error -> {
                    log.warn("Could not list or abort the store's multipart uploads: {}", error.toString());
                    return Mono.just(0L);
                });
        return Flux.concat(expired, unstuck, forgotten).filter(Boolean::booleanValue).count()
                .flatMap(changed -> unrecorded.map(aborted -> changed + aborted));
    }
}
