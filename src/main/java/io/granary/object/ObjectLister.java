package io.granary.object;

import io.granary.bucket.Bucket;
import io.granary.error.ErrorCode;
import io.granary.error.GranaryException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import reactor.core.publisher.Mono;

/**
 * Lists a bucket in key order with optional delimiter grouping. When a key falls under a
 * common prefix, the next query seeks straight past every key sharing that prefix, so a folder
 * with a million children costs one query, not a million rows.
 */
final class ObjectLister {

    private final ObjectRepository objects;

    ObjectLister(ObjectRepository objects) {
        this.objects = objects;
    }

    /** Where the next query starts: after (or at) {@code key}. */
    private record Bound(String key, boolean inclusive) {

        String encode() {
            return Base64.getUrlEncoder().withoutPadding()
                    .encodeToString(((inclusive ? "i" : "x") + key).getBytes(StandardCharsets.UTF_8));
        }

        static Bound decode(String cursor) {
            try {
                String raw = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8);
                if (raw.length() > 1 && (raw.charAt(0) == 'i' || raw.charAt(0) == 'x')) {
                    return new Bound(raw.substring(1), raw.charAt(0) == 'i');
                }
            } catch (IllegalArgumentException ignored) {
                // reported below
            }
            throw new GranaryException(ErrorCode.INVALID_CURSOR, "The cursor is not one this API returned.");
        }
    }

    private static final class Page {
        final List<StoredObject> objects = new ArrayList<>();
        final List<String> prefixes = new ArrayList<>();
        Bound next;
        boolean more;

        int count() {
            return objects.size() + prefixes.size();
        }
    }

    Mono<ObjectPage> list(Bucket bucket, String prefix, String delimiter, int limit, String cursor) {
        Bound start = cursor == null ? null : Bound.decode(cursor);
        Page page = new Page();
        return fill(bucket, prefix, delimiter, limit, start, page)
                .then(Mono.fromSupplier(() -> new ObjectPage(page.objects, page.prefixes,
                        page.more ? page.next.encode() : null)));
    }

    private Mono<Void> fill(Bucket bucket, String prefix, String delimiter, int limit, Bound bound, Page page) {
        int wanted = limit - page.count() + 1;
        return objects.page(bucket, prefix, bound == null ? null : bound.key(), bound == null || bound.inclusive(), wanted)
                .filter(o -> o.key().startsWith(prefix))
                .collectList()
                .flatMap(batch -> {
                    for (StoredObject object : batch) {
                        if (page.count() == limit) {
                            page.more = true;
                            return Mono.empty();
                        }
                        String common = commonPrefix(object.key(), prefix, delimiter);
                        if (common == null) {
                            page.objects.add(object);
                            page.next = new Bound(object.key(), false);
                            continue;
                        }
                        page.prefixes.add(common);
                        String after = KeyOrder.successor(common);
                        if (after == null) {
                            return Mono.empty();
                        }
                        page.next = new Bound(after, true);
                        // Seek past every key under this prefix with a fresh query.
                        return fill(bucket, prefix, delimiter, limit, page.next, page);
                    }
                    return Mono.empty();
                });
    }

    private static String commonPrefix(String key, String prefix, String delimiter) {
        if (delimiter == null || delimiter.isEmpty()) {
            return null;
        }
        int at = key.indexOf(delimiter, prefix.length());
        return at < 0 ? null : key.substring(0, at + delimiter.length());
    }
}
