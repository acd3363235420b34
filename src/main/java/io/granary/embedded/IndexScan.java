package io.granary.embedded;

import de.bwaldvogel.mongo.backend.IndexKey;
import de.bwaldvogel.mongo.backend.ValueComparator;
import de.bwaldvogel.mongo.bson.Document;
import de.bwaldvogel.mongo.bson.ObjectId;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Set;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

/**
 * How one {@link OrderedIndex} serves a query: equality on a leading run of its keys, then
 * at most one range or {@code $in} on the next key, walked in index order so the caller can stop at its
 * limit. The scan only narrows: every document it yields is still matched against the whole
 * query, so it must (and does) yield a superset of the matches, never miss one.
 */
final class IndexScan {

    private static final Set<String> RANGE_OPERATORS = Set.of("$gt", "$gte", "$lt", "$lte");

    private final OrderedIndex index;
    /** The values of the leading keys, one array per alternative of an {@code $in}, in index order. */
    private final List<Object[]> prefixes;
    private final int fixed;
    private final Object lower;
    private final boolean lowerInclusive;
    private final Object upper;
    private final boolean upperInclusive;

    private IndexScan(OrderedIndex index, List<Object[]> prefixes, Object lower, boolean lowerInclusive, Object upper,
                      boolean upperInclusive) {
        this.index = index;
        this.prefixes = prefixes;
        this.fixed = prefixes.get(0).length;
        this.lower = lower;
        this.lowerInclusive = lowerInclusive;
        this.upper = upper;
        this.upperInclusive = upperInclusive;
    }

    /** The scan {@code index} offers for {@code query}, or {@code null} when its first key is unconstrained. */
    static IndexScan plan(OrderedIndex index, Document query) {
        List<IndexKey> keys = index.getKeys();
        List<Object> equal = new ArrayList<>();
        for (IndexKey key : keys) {
            Object condition = query.get(key.getKey());
            if (isPlain(condition)) {
                equal.add(normalize(condition));
                continue;
            }
            if (key.isAscending() && condition instanceof Document range && !range.isEmpty()
                    && RANGE_OPERATORS.containsAll(range.keySet()) && range.values().stream().allMatch(IndexScan::isPlain)) {
                Object low = range.containsKey("$gt") ? range.get("$gt") : range.get("$gte");
                Object high = range.containsKey("$lt") ? range.get("$lt") : range.get("$lte");
                return new IndexScan(index, Collections.singletonList(equal.toArray()), normalize(low), !range.containsKey("$gt"),
                        normalize(high), !range.containsKey("$lt"));
            }
            if (condition instanceof Document in && in.keySet().equals(Set.of("$in"))
                    && in.get("$in") instanceof Collection<?> values && !values.isEmpty()
                    && values.stream().allMatch(IndexScan::isPlain)) {
                // One walk per value, in index order, so the scans together stay in index order.
                List<Object[]> prefixes = values.stream().map(IndexScan::normalize).distinct()
                        .sorted(key.isAscending() ? ValueComparator.asc() : ValueComparator.desc())
                        .map(value -> {
                            Object[] prefix = Arrays.copyOf(equal.toArray(), equal.size() + 1);
                            prefix[equal.size()] = value;
                            return prefix;
                        })
                        .toList();
                return new IndexScan(index, prefixes, null, true, null, true);
            }
            break;
        }
        return equal.isEmpty() ? null : new IndexScan(index, Collections.singletonList(equal.toArray()), null, true, null, true);
    }

    /** How much of the index the query pins down: two per equal key, one for a range, one less for an {@code $in}. */
    int strength() {
        return 2 * fixed + (lower != null || upper != null ? 1 : 0) - (prefixes.size() > 1 ? 1 : 0);
    }

    OrderedIndex index() {
        return index;
    }

    /**
     * Whether the scan already yields documents in {@code orderBy}'s order: its keys, less
     * those the query fixes, are the index's keys that follow the equal ones, ascending.
     */
    boolean yieldsOrder(Document orderBy) {
        if (orderBy == null || orderBy.isEmpty()) {
            return true;
        }
        List<IndexKey> keys = index.getKeys();
        int next = prefixes.size() > 1 ? fixed - 1 : fixed; // an $in's key varies, so it orders
        for (String field : orderBy.keySet()) {
            if (isFixed(field, keys, next)) {
                continue;
            }
            if (next >= keys.size() || !keys.get(next).getKey().equals(field) || !keys.get(next).isAscending()
                    || !(orderBy.get(field) instanceof Number direction) || direction.intValue() != 1) {
                return false;
            }
            next++;
        }
        return true;
    }

    /** The positions of the documents in range, in index order. */
    Stream<Object> positions() {
        int width = index.width();
        return entries().map(entry -> entry[width]);
    }

    /** The index entries in range (values, then position), in index order. */
    Stream<Object[]> entries() {
        return prefixes.stream().flatMap(prefix -> StreamSupport.stream(
                Spliterators.spliteratorUnknownSize(walk(prefix), Spliterator.ORDERED), false));
    }

    /**
     * Whether the entries alone decide the query: it constrains no field but those the scan
     * fixes (equalities, {@code $in}), and no value is an array (whose entries are elements).
     */
    boolean decides(Document query) {
        if (lower != null || upper != null || index.isMultikey()) {
            return false;
        }
        List<IndexKey> keys = index.getKeys();
        return query.keySet().stream().allMatch(field -> isFixed(field, keys, fixed));
    }

    /** The entries under one prefix, within the range if there is one. */
    private Iterator<Object[]> walk(Object[] prefix) {
        Object[] from = prefix;
        if (lower != null) {
            from = Arrays.copyOf(prefix, fixed + 1);
            from[fixed] = lower;
        }
        Iterator<Object[]> keys = index.keysFrom(from);
        int width = index.width();
        IndexKeyType order = index.order();
        return new Iterator<>() {
            private Object[] next = advance();

            private Object[] advance() {
                while (keys.hasNext()) {
                    Object[] key = keys.next();
                    if (key.length != width + 1) {
                        continue; // a mark, not an entry
                    }
                    if (order.compare(key, prefix, fixed) != 0) {
                        return null; // past the prefix
                    }
                    if (fixed < width) {
                        Object value = key[fixed];
                        if (lower != null && !lowerInclusive && ValueComparator.asc().compare(value, lower) == 0) {
                            continue;
                        }
                        if (upper != null) {
                            int beyond = ValueComparator.asc().compare(value, upper);
                            if (beyond > 0 || (beyond == 0 && !upperInclusive)) {
                                return null;
                            }
                        }
                    }
                    return key;
                }
                return null;
            }

            @Override
            public boolean hasNext() {
                return next != null;
            }

            @Override
            public Object[] next() {
                if (next == null) {
                    throw new NoSuchElementException();
                }
                Object[] entry = next;
                next = advance();
                return entry;
            }
        };
    }

    private static boolean isFixed(String field, List<IndexKey> keys, int count) {
        for (int i = 0; i < count; i++) {
            if (keys.get(i).getKey().equals(field)) {
                return true;
            }
        }
        return false;
    }

    /** A value an index entry can equal: no operator document, array, null or pattern. */
    static boolean isPlain(Object value) {
        return value instanceof String || value instanceof Number || value instanceof Instant
                || value instanceof ObjectId || value instanceof Boolean;
    }

    /** The form the index keeps values in (the server's own normalization: numbers compare as doubles). */
    private static Object normalize(Object value) {
        if (value instanceof Number number && !(value instanceof Double)) {
            double asDouble = number.doubleValue();
            return value instanceof Long exact && (long) asDouble != exact ? exact : (Object) (asDouble == -0.0 ? 0.0 : asDouble);
        }
        return value;
    }
}
