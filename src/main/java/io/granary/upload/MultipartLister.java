package io.granary.upload;

import io.granary.bucket.Bucket;
import io.granary.common.Ids;
import io.granary.error.ErrorCode;
import io.granary.error.GranaryException;
import io.granary.object.KeyOrder;
import java.util.ArrayList;
import java.util.List;
import org.bson.types.ObjectId;
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

    /** A page of at most {@code limit} (at least 1) entries, starting as {@link MultipartService#listOpen} says. */
    Mono<OpenUploads> list(Bucket bucket, String prefix, String delimiter, int limit, String afterKey,
                                            String afterUploadId) {
        Page page = new Page();
        return start(bucket, prefix, delimiter, afterKey, afterUploadId)
                .doOnNext(from -> {
                    page.next = from.key() == null ? null : from;
                    page.done = from.key() == null; // after the greatest prefix there is: nothing follows
                })
                .then(Mono.defer(() -> page.done ? Mono.<Void>empty() : step(bucket, prefix, delimiter, limit, page))
                        .repeat(() -> !page.done).then())
                .then(Mono.fromSupplier(() -> new OpenUploads(page.uploads, page.prefixes, page.more,
                        page.more ? page.lastKey : null, page.more ? page.lastUploadId : null)));
    }

    /** Where the listing starts; empty at the beginning, a bound without a key past the end. */
    private Mono<MultipartUploadRepository.After> start(Bucket bucket, String prefix, String delimiter, String afterKey,
                                                        String afterUploadId) {
        if (afterKey == null || afterKey.isEmpty()) {
            return Mono.empty();
        }
        String common = commonPrefix(afterKey, prefix, delimiter);
        if (common != null) {
            // The key rolls up into a common prefix that sorts before it: listed already, skip all of it.
            return Mono.just(MultipartUploadRepository.After.key(KeyOrder.successor(common), true));
        }
        if (afterUploadId == null || afterUploadId.isEmpty()) {
            return Mono.just(MultipartUploadRepository.After.key(afterKey, false));
        }
        if (!Ids.isId(afterUploadId)) {
            return Mono.error(new GranaryException(ErrorCode.INVALID_REQUEST,
                    "The upload id to list after, '" + afterUploadId + "', is not an upload id."));
        }
        // Its start time places it among the key's uploads; one forgotten since is placed by its id's time.
        return repository.find(afterUploadId)
                .filter(upload -> upload.bucketId().equals(bucket.id()) && upload.upload().key().equals(afterKey))
                .map(MultipartUpload::createdAt)
                .defaultIfEmpty(new ObjectId(afterUploadId).getDate().toInstant())
                .map(at -> new MultipartUploadRepository.After(afterKey, false, at, afterUploadId));
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
