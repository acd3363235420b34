package io.granary.object;

import io.granary.bucket.Bucket;
import io.granary.error.ErrorCode;
import io.granary.error.GranaryException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.zip.CRC32;
import reactor.core.publisher.Mono;

/**
 * Lists a bucket in key order with optional delimiter grouping. Each query reads keys only up
 * to the first one that falls under a common prefix; the next query then seeks straight past
 * every key sharing that prefix, so a folder with a million children costs one query, not a
 * million rows. The queries run one after another in a loop, never nested; with a delimiter
 * they ask for few keys at a time, as the next common prefix usually comes first.
 */
final class ObjectLister {

    private final ObjectRepository objects;

    ObjectLister(ObjectRepository objects) {
        this.objects = objects;
    }

    /**
     * Where the next query starts: after (or at) {@code key}. Its cursor also carries a
     * fingerprint of the listing's prefix and delimiter: a cursor of another listing would
     * start this one at a key outside it and silently answer an empty last page, so it is
     * refused instead.
     */
    private record Bound(String key, boolean inclusive) {

        private static final int FINGERPRINT = 8;

        String encode(String prefix, String delimiter) {
            return Base64.getUrlEncoder().withoutPadding().encodeToString(
                    ((inclusive ? "i" : "x") + fingerprint(prefix, delimiter) + key).getBytes(StandardCharsets.UTF_8));
        }

        static Bound decode(String cursor, String prefix, String delimiter) {
            String raw;
            try {
                raw = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8);
            } catch (IllegalArgumentException e) {
                raw = "";
            }
            if (raw.length() <= 1 + FINGERPRINT || (raw.charAt(0) != 'i' && raw.charAt(0) != 'x')) {
                throw new GranaryException(ErrorCode.INVALID_CURSOR, "The cursor is not one this API returned.");
            }
            if (!raw.startsWith(fingerprint(prefix, delimiter), 1)) {
                throw new GranaryException(ErrorCode.INVALID_CURSOR, "The cursor belongs to a listing with another"
                        + " prefix or delimiter; pass the prefix and delimiter it was issued with, or start without a cursor.");
            }
            return new Bound(raw.substring(1 + FINGERPRINT), raw.charAt(0) == 'i');
        }

        /** Eight hex digits of a CRC-32 over both, length-prefixed so no two pairs run together. */
        private static String fingerprint(String prefix, String delimiter) {
            String grouping = delimiter == null ? "" : delimiter;
            CRC32 crc = new CRC32();
            crc.update((prefix.length() + ":" + prefix + grouping).getBytes(StandardCharsets.UTF_8));
            return String.format("%08x", crc.getValue());
        }
    }

    /**
     * How many keys a grouping query asks for at first: most often the first key it meets
     * opens the next common prefix, and any more would be read only to be dropped. A run of
     * plain keys quadruples it for the next query.
     */
    static final int FIRST_RUN = 2;

    /** The page being filled; {@code done} once it is full or the keys ran out. */
    private static final class Page {
        final List<StoredObject> objects = new ArrayList<>();
        final List<String> prefixes = new ArrayList<>();
        Bound next;
        boolean more;
        boolean done;
        int run = FIRST_RUN;

        int count() {
            return objects.size() + prefixes.size();
        }
    }

    /**
     * A cursor that starts a listing with this prefix and delimiter just after {@code key} (S3's
     * start-after and marker). A key that is a common prefix itself (S3's NextMarker when a page
     * ends on one) starts after the whole group: its keys were listed as that prefix.
     */
    static String cursorAfter(String key, String prefix, String delimiter) {
        String grouping = delimiter == null || delimiter.isEmpty() ? null : delimiter;
        boolean group = key.startsWith(prefix) && key.equals(commonPrefix(key, prefix, grouping));
        String afterGroup = group ? KeyOrder.successor(key) : null;
        return (afterGroup != null ? new Bound(afterGroup, true) : new Bound(key, false)).encode(prefix, grouping);
    }

    Mono<ObjectPage> list(Bucket bucket, String prefix, String delimiter, int limit, String cursor) {
        Page page = new Page();
        String grouping = delimiter == null || delimiter.isEmpty() ? null : delimiter;
        page.next = cursor == null ? null : Bound.decode(cursor, prefix, grouping);
        return Mono.defer(() -> step(bucket, prefix, grouping, limit, page))
                .repeat(() -> !page.done)
                .then(Mono.fromSupplier(() -> new ObjectPage(page.objects, page.prefixes,
                        page.more ? page.next.encode(prefix, grouping) : null)));
    }

    /** One query: takes keys until the page is full, a common prefix appears, or keys run out. */
    private Mono<Void> step(Bucket bucket, String prefix, String delimiter, int limit, Page page) {
        int wanted = limit - page.count() + 1; // one more than fits tells whether there is more
        int asked = delimiter == null ? wanted : Math.min(wanted, page.run);
        Bound from = page.next;
        return objects.page(bucket, prefix, from == null ? null : from.key(), from == null || from.inclusive(), asked)
                .filter(o -> o.key().startsWith(prefix))
                .takeUntil(o -> commonPrefix(o.key(), prefix, delimiter) != null)
                .collectList()
                .doOnNext(batch -> {
                    for (StoredObject object : batch) {
                        if (page.count() == limit) {
                            page.more = true;
                            page.done = true;
                            return;
                        }
                        String common = commonPrefix(object.key(), prefix, delimiter);
                        if (common == null) {
                            page.objects.add(object);
                            page.next = new Bound(object.key(), false);
                            continue;
                        }
                        page.prefixes.add(common);
                        String after = KeyOrder.successor(common);
                        page.next = after == null ? null : new Bound(after, true);
                        page.done = after == null;
                        page.run = FIRST_RUN;
                        return; // seek past the prefix with the next query
                    }
                    page.done = batch.size() < asked; // fewer keys than asked for: the listing is complete
                    page.run = Math.min(page.run * 4, wanted);
                })
                .then();
    }

    private static String commonPrefix(String key, String prefix, String delimiter) {
        if (delimiter == null) {
            return null;
        }
        int at = key.indexOf(delimiter, prefix.length());
        return at < 0 ? null : key.substring(0, at + delimiter.length());
    }
}
