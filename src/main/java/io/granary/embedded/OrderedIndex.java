package io.granary.embedded;

import de.bwaldvogel.mongo.MongoCollection;
import de.bwaldvogel.mongo.backend.Index;
import de.bwaldvogel.mongo.backend.IndexKey;
import de.bwaldvogel.mongo.backend.KeyValue;
import de.bwaldvogel.mongo.backend.Missing;
import de.bwaldvogel.mongo.backend.Utils;
import de.bwaldvogel.mongo.bson.Document;
import de.bwaldvogel.mongo.exception.DuplicateKeyError;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import org.h2.mvstore.MVMap;

/**
 * A persistent, ordered index of one collection, unique or not: one entry per document (per
 * array element for array values, as MongoDB's multikey indexes) whose key is the document's
 * index values followed by its position, in an MVStore map committed with the documents
 * themselves. {@link IndexScan} walks it in key order from any prefix, which is what serves
 * range queries, sorts and limits; uniqueness is a lookup of the values' prefix. A collection's
 * {@code _id} index also tells the server where a document lies (its position is its {@code _id}).
 *
 * <p>Keys shorter than an entry's are marks, never entries: the empty key marks a complete
 * index (a build interrupted by a crash leaves it unmarked, and {@link IndexedH2Collection}
 * then builds it again from the documents), {@code [true]} one that has seen an array value.
 */
final class OrderedIndex extends Index<Object> {

    private static final Object[] COMPLETE = new Object[0];
    /** Marks an index some document of which holds an array under a key (entries then stand for elements). */
    private static final Object[] MULTIKEY = {Boolean.TRUE};

    private final MVMap<Object[], Boolean> entries;
    private final IndexKeyType order;
    private final boolean unique;
    private final int width;
    /** Whether this is the collection's {@code _id} index, which also says where a document lies. */
    private final boolean primary;

    OrderedIndex(String name, List<IndexKey> keys, boolean sparse, boolean unique, MVMap<Object[], Boolean> entries,
                 IndexKeyType order) {
        super(name, keys, sparse);
        this.entries = entries;
        this.order = order;
        this.unique = unique;
        this.width = keys.size();
        this.primary = width == 1 && keys.get(0).getKey().equals("_id");
    }

    boolean isComplete() {
        return entries.containsKey(COMPLETE);
    }

    void markComplete() {
        entries.put(COMPLETE, Boolean.TRUE);
    }

    void clear() {
        entries.clear();
    }

    /** Whether some document held an array under one of the keys: its entries then are elements, not values. */
    boolean isMultikey() {
        return entries.containsKey(MULTIKEY);
    }

    int width() {
        return width;
    }

    IndexKeyType order() {
        return order;
    }

    /** Entry keys from the first at or after {@code from}, in order (the completion mark skipped). */
    Iterator<Object[]> keysFrom(Object[] from) {
        return entries.keyIterator(from);
    }

    @Override
    public boolean isUnique() {
        return unique;
    }

    @Override
    public Object getPosition(Document document) {
        return primary ? positionOf(getKeyValues(document)) : null; // the other indexes defer to _id's
    }

    @Override
    public synchronized void checkAdd(Document document, MongoCollection<Object> collection) {
        checkUnique(document, null, collection);
    }

    @Override
    public synchronized void add(Document document, Object position, MongoCollection<Object> collection) {
        checkUnique(document, position, collection);
        for (Object[] key : entryKeys(document, position)) {
            entries.put(key, Boolean.TRUE);
        }
        if (keys().stream().anyMatch(key -> Utils.getSubdocumentValue(document, key) instanceof Collection)) {
            entries.putIfAbsent(MULTIKEY, Boolean.TRUE);
        }
    }

    @Override
    public synchronized Object remove(Document document) {
        Object position = positionOf(document);
        List<Object[]> keys = entryKeys(document, position);
        keys.forEach(entries::remove);
        return keys.isEmpty() ? null : position;
    }

    /**
     * Only a lookup by {@code _id} alone, the one query the server's own path is left with:
     * {@link IndexedH2Collection} plans every other scan itself.
     */
    @Override
    public boolean canHandle(Document query) {
        return primary && query.size() == 1 && IndexScan.isPlain(query.get("_id"));
    }

    @Override
    public Iterable<Object> getPositions(Document query) {
        Object position = positionOf(getKeyValues(query));
        return position == null ? List.of() : List.of(position);
    }

    @Override
    public long getCount() {
        return entries.sizeAsLong() - (isComplete() ? 1 : 0) - (isMultikey() ? 1 : 0);
    }

    @Override
    public long getDataSize() {
        return getCount();
    }

    @Override
    public synchronized void checkUpdate(Document oldDocument, Document newDocument, MongoCollection<Object> collection) {
        if (!nullAwareEqualsKeys(oldDocument, newDocument)) {
            checkUnique(newDocument, positionOf(oldDocument), collection);
        }
    }

    @Override
    public synchronized void updateInPlace(Document oldDocument, Document newDocument, Object position,
                                           MongoCollection<Object> collection) {
        if (!nullAwareEqualsKeys(oldDocument, newDocument)) {
            entryKeys(oldDocument, position).forEach(entries::remove);
            add(newDocument, position, collection);
        }
    }

    @Override
    public void drop() {
        entries.clear();
    }

    private void checkUnique(Document document, Object ownPosition, MongoCollection<Object> collection) {
        if (!unique || isSparseWithoutValues(document)) {
            return;
        }
        for (KeyValue values : getKeyValues(document)) {
            Object[] found = entryOf(values);
            if (found != null && !Objects.equals(found[width], ownPosition)) {
                throw new DuplicateKeyError(this, collection, getKeys(), values);
            }
        }
    }

    /** The position of the first document indexed under one of the values, or {@code null}. */
    private Object positionOf(Set<KeyValue> keyValues) {
        for (KeyValue values : keyValues) {
            Object[] found = entryOf(values);
            if (found != null) {
                return found[width];
            }
        }
        return null;
    }

    /** The first entry whose values are these (an entry key is the values, then a position), or {@code null}. */
    private Object[] entryOf(KeyValue values) {
        Object[] prefix = values.stream().toArray();
        Object[] found = entries.ceilingKey(prefix);
        return found != null && found.length == width + 1 && order.compare(prefix, found, width) == 0 ? found : null;
    }

    private List<Object[]> entryKeys(Document document, Object position) {
        if (isSparseWithoutValues(document)) {
            return List.of();
        }
        Set<KeyValue> keyValues = getKeyValues(document);
        List<Object[]> keys = new ArrayList<>(keyValues.size());
        for (KeyValue values : keyValues) {
            Object[] key = new Object[width + 1];
            for (int i = 0; i < width; i++) {
                key[i] = values.get(i);
            }
            key[width] = position;
            keys.add(key);
        }
        return keys;
    }

    private boolean isSparseWithoutValues(Document document) {
        return isSparse() && getKeyValues(document).stream().allMatch(values -> values.stream().allMatch(Objects::isNull));
    }

    /** Where the H2 backend keeps a document: under its _id, as the collection stored it. */
    private static Object positionOf(Document document) {
        return Missing.ofNullable(document.get("_id"));
    }
}
