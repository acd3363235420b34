package io.granary.upload;

import io.granary.bucket.Bucket;
import java.time.Instant;
import java.util.List;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;

/**
 * Aborts a bucket's multipart and tus uploads that were begun long ago and are still open, for
 * the lifecycle rules. Each abort is the sweeper's own conditional step ({@code open} to
 * {@code aborted}, parts freed), so an upload completed or aborted meanwhile by anyone else is
 * left alone; a tus upload also loses its tail and its record at once, as an expired one does.
 */
@Component
public class IncompleteUploads {

    /** Open uploads read per query. */
    static final int PAGE = 500;

    private final MultipartUploadRepository multipartUploads;
    private final TusUploadRepository tusUploads;
    private final MultipartService multipart;
    private final TusService tus;

    IncompleteUploads(MultipartUploadRepository multipartUploads, TusUploadRepository tusUploads, MultipartService multipart,
                      TusService tus) {
        this.multipartUploads = multipartUploads;
        this.tusUploads = tusUploads;
        this.multipart = multipart;
        this.tus = tus;
    }

    /**
     * Aborts the open uploads of {@code bucket} under {@code prefix} begun before {@code cutoff},
     * reading them page by page in key order (never all at once); completes with how many it aborted.
     */
    public Mono<Long> abortBegunBefore(Bucket bucket, String prefix, Instant cutoff, Instant now) {
        return page(bucket, prefix, null)
                .expand(page -> page.size() < PAGE ? Mono.empty()
                        : page(bucket, prefix, MultipartUploadRepository.After.upload(page.get(page.size() - 1))))
                .concatMapIterable(page -> page)
                .filter(upload -> upload.createdAt().isBefore(cutoff))
                .concatMap(upload -> multipart.expire(upload, now)
                        .flatMap(aborted -> tusUploads.find(aborted.id())
                                .flatMap(tusUpload -> tus.reclaim(tusUpload, multipartUploads, now))
                                .thenReturn(1)))
                .count();
    }

    private Mono<List<MultipartUpload>> page(Bucket bucket, String prefix, MultipartUploadRepository.After after) {
        return multipartUploads.openPage(bucket.tenantId(), bucket.id(), prefix, after, PAGE).collectList();
    }
}
