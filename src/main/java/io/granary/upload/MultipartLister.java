package io.granary.upload;

import io.granary.bucket.Bucket;
import io.granary.object.KeyOrder;
import java.util.ArrayList;
import java.util.List;
import reactor.core.publisher.Mono;

/**
 * Lists a bucket's open multipart uploads in S3's order (key, then initiation) with optional
 * delimiter grouping, as {@code ObjectLister} lists objects: each query reads uploads only up to
 * the first one under a common prefix, and the next query seeks straight past that prefix, so a
 * "folder" of many uploads costs one query. Queries run one after another, never nested.
 */
final class MultipartLister {

    /** How many uploads a grouping query asks for at first; a run of plain keys quadruples it. */
    private static final int FIRST_RUN = 2;

    private final MultipartUploadRepository repository;

    MultipartLister(MultipartUploadRepository repository) {
        this.repository = repository;
    }

    /** The page being filled; {@code done} once it is full or the uploads ran out. */
    private static final class Page {
        final List<MultipartUpload> uploads = new ArrayList<>();
        final List<String> prefixes = new ArrayList<>();
        MultipartUploadRepository.After next;
        String lastKey;
        String lastUploadId;
        boolean more;
        boolean done;
        int run = FIRST_RUN;

        int count() {
            return uploads.size() + prefixes.size();
        }
    }

    Mono<MultipartService.OpenUploads> list(Bucket bucket, String prefix, String delimiter, int limit,
                                            MultipartUploadRepository.After from) {
        Page page = new Page();
        page.next = from;
        return Mono.defer(() -> step(bucket, prefix, delimiter, limit, page))
                .repeat(() -> !page.done)
                .then(Mono.fromSupplier(() -> new MultipartService.OpenUploads(page.uploads, page.prefixes, page.more,
                        page.more ? page.lastKey : null, page.more ? page.lastUploadId : null)));
    }

    /** One query: takes uploads until the page is full, a common prefix appears, or uploads run out. */
    private Mono<Void> step(Bucket bucket, String prefix, String delimiter, int limit, Page page) {
        int wanted = limit - page.count() + 1; // one more than fits tells whether there is more
        int asked = delimiter == null ? wanted : Math.min(wanted, page.run);
        return repository.openPage(bucket.tenantId(), bucket.id(), prefix, page.next, asked)
                .takeUntil(upload -> commonPrefix(upload.upload().key(), prefix, delimiter) != null)
                .collectList()
                .doOnNext(batch -> {
                    for (MultipartUpload upload : batch) {
                        if (page.count() == limit) {
                            page.more = true;
                            page.done = true;
                            return;
                        }
                        String common = commonPrefix(upload.upload().key(), prefix, delimiter);
                        if (common == null) {
                            page.uploads.add(upload);
                            page.next = MultipartUploadRepository.After.upload(upload);
                            page.lastKey = upload.upload().key();
                            page.lastUploadId = upload.id();
                            continue;
                        }
                        page.prefixes.add(common);
                        page.lastKey = common;
                        page.lastUploadId = null;
                        String after = KeyOrder.successor(common);
                        page.next = after == null ? null : MultipartUploadRepository.After.key(after, true);
                        page.done = after == null;
                        page.run = FIRST_RUN;
                        return; // seek past the prefix with the next query
                    }
                    page.done = batch.size() < asked; // fewer than asked for: the listing is complete
                    page.run = Math.min(page.run * 4, wanted);
                })
                .then();
    }

    /** The common prefix {@code key} rolls up into under this listing, or {@code null}. */
    static String commonPrefix(String key, String prefix, String delimiter) {
        if (delimiter == null || !key.startsWith(prefix)) {
            return null;
        }
        int at = key.indexOf(delimiter, prefix.length());
        return at < 0 ? null : key.substring(0, at + delimiter.length());
    }
}
