package io.granary.embedded;

import de.bwaldvogel.mongo.backend.IndexKey;
import de.bwaldvogel.mongo.bson.Document;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * A projection an index entry can answer without its document (a covered query, as MongoDB
 * has): it includes only {@code _id} and top-level index keys. Such queries are what
 * existence checks and the orphan sweeper's blob batches make, and they then never load or
 * decode a document. A value the index keeps in another form than the document (numbers,
 * normalized to doubles; null, which also stands for a missing field) is read from the
 * document instead.
 */
final class CoveredProjection {

    private final boolean withId;
    private final List<String> fields;
    private final int[] slots;

    private CoveredProjection(boolean withId, List<String> fields, int[] slots) {
        this.withId = withId;
        this.fields = fields;
        this.slots = slots;
    }

    /** The covered form of {@code projection} over {@code index}, or {@code null} when it needs the documents. */
    static CoveredProjection of(Document projection, OrderedIndex index) {
        if (projection == null || projection.isEmpty()) {
            return null;
        }
        List<String> keys = index.getKeys().stream().map(IndexKey::getKey).toList();
        boolean withId = true;
        List<String> fields = new ArrayList<>();
        List<Integer> slots = new ArrayList<>();
        for (Map.Entry<String, Object> field : projection.entrySet()) {
            boolean included = isTrue(field.getValue());
            if (field.getKey().equals("_id")) {
                withId = included;
            } else if (!included || field.getKey().contains(".") || !keys.contains(field.getKey())) {
                return null;
            } else {
                fields.add(field.getKey());
                slots.add(keys.indexOf(field.getKey()));
            }
        }
        return new CoveredProjection(withId, fields, slots.stream().mapToInt(Integer::intValue).toArray());
    }

    /** The projected document of one entry; {@code load} reads the document by position when a value must come from it. */
    Document project(Object[] entry, Function<Object, Document> load) {
        Object position = entry[entry.length - 1];
        Document projected = new Document();
        if (withId) {
            projected.put("_id", position);
        }
        Document document = null;
        for (int i = 0; i < slots.length; i++) {
            Object value = entry[slots[i]];
            if (value == null || value instanceof Number) {
                document = document != null ? document : load.apply(position);
                if (document != null && document.containsKey(fields.get(i))) {
                    projected.put(fields.get(i), document.get(fields.get(i)));
                }
            } else {
                projected.put(fields.get(i), value);
            }
        }
        return projected;
    }

    private static boolean isTrue(Object value) {
        return value instanceof Boolean b ? b : value instanceof Number n && n.doubleValue() != 0;
    }
}
