package io.granary.upload;

import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;

/**
 * The tus step of the multipart sweep, every {@code granary.multipart.sweep-interval}: a tus
 * upload past its {@code Upload-Expires} has its multipart upload aborted (parts freed), its
 * tail blob deleted and its record removed; a completed one is only forgotten then. Aborting is
 * a conditional update, so sweeps on several nodes never free anything twice harmfully.
 */
@Component
class TusSweeper {

    private static final Logger log = LoggerFactory.getLogger(TusSweeper.class);

    private final TusUploadRepository repository;
    private final MultipartUploadRepository uploads;
    private final TusService tus;

    TusSweeper(TusUploadRepository repository, MultipartUploadRepository uploads, TusService tus) {
        this.repository = repository;
        this.uploads = uploads;
        this.tus = tus;
    }

    @Scheduled(initialDelayString = "${granary.multipart.sweep-interval:10m}",
            fixedDelayString = "${granary.multipart.sweep-interval:10m}")
    void scheduled() {
        SweepReports.run(sweep(Instant.now()), log, "Tus sweep reclaimed {} expired upload(s)", "Tus");
    }

    /** One sweep as of {@code now}; completes with how many uploads it reclaimed. */
    Mono<Long> sweep(Instant now) {
        return repository.expiredBefore(now).concatMap(upload -> tus.reclaim(upload, uploads, now).thenReturn(1)).count();
    }
}
