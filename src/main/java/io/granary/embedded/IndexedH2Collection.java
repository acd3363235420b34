package io.granary.embedded;

import de.bwaldvogel.mongo.MongoDatabase;
import de.bwaldvogel.mongo.backend.CollectionOptions;
import de.bwaldvogel.mongo.backend.CursorRegistry;
import de.bwaldvogel.mongo.backend.Index;
import de.bwaldvogel.mongo.backend.QueryResult;
import de.bwaldvogel.mongo.backend.h2.H2Collection;
import de.bwaldvogel.mongo.bson.Document;
import java.util.Objects;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.h2.mvstore.MVMap;

/**
 * An H2 collection whose queries use its {@link OrderedIndex}es: the one that pins down most of
 * the query is walked in key order, each document it yields matched against the whole query,
 * and when the index order is the sort asked for, the walk stops at the limit; a query the
 * entries alone answer ({@link CoveredProjection}) loads no document at all. Queries no
 * ordered index serves (and those by {@code _id} alone) take the server's own path; a query
 * by {@code _id} and more fields looks the document up by its {@code _id} first.
 */
final class IndexedH2Collection extends H2Collection {

    IndexedH2Collection(MongoDatabase database, String name, CollectionOptions options, MVMap<Object, Document> data,
                        MVMap<String, Object> meta, CursorRegistry cursors) {
        super(database, name, options, data, meta, cursors);
    }

    @Override
    public synchronized void addIndex(Index<Object> index) {
        if (!(index instanceof OrderedIndex ordered)) {
            super.addIndex(index);
            return;
        }
        if (!ordered.isComplete()) {
            ordered.clear(); // what an interrupted build left, if anything: built again below
        }
        super.addIndex(index); // fills an empty index from the documents
        ordered.markComplete();
    }

    @Override
    protected QueryResult queryDocuments(Document query, Document orderBy, int skip, int limit, int batchSize,
                                         Document projection) {
        Index<Object> byId = query.size() > 1 && IndexScan.isPlain(query.get("_id")) ? idIndex() : null;
        if (byId != null && !isNaturalOrder(orderBy)) {
            // By _id and more (a conditional update): the server's own path would scan the
            // collection, as its _id index serves a query on _id alone.
            Iterable<Object> found = byId.getPositions(new Document("_id", query.get("_id")));
            return matchDocuments(query, found, orderBy, skip, limit, batchSize, projection);
        }
        IndexScan scan = bestScan(query, orderBy);
        if (scan == null || isNaturalOrder(orderBy)) {
            return super.queryDocuments(query, orderBy, skip, limit, batchSize, projection);
        }
        CoveredProjection covered = CoveredProjection.of(projection, scan.index());
        if (covered != null && scan.decides(query) && scan.yieldsOrder(orderBy)) {
            Stream<Document> answers = scan.entries().map(entry -> covered.project(entry, this::getDocument)).skip(skip);
            return createQueryResult((limit > 0 ? answers.limit(limit) : answers).collect(Collectors.toList()), batchSize);
        }
        Stream<Document> candidates = scan.positions()
                .distinct() // an array value puts a document under several keys of one range
                .map(this::getDocument)
                .filter(Objects::nonNull);
        if (scan.yieldsOrder(orderBy)) {
            // Filtered, skipped and limited lazily: the walk ends once the page is full.
            return matchDocumentsFromStream(query, candidates, skip, limit, batchSize, null, projection);
        }
        return matchDocumentsFromStream(candidates, query, orderBy, skip, limit, batchSize, projection);
    }

    /** The scan pinning down most of the query, preferring one already in the order asked for. */
    private IndexScan bestScan(Document query, Document orderBy) {
        if (query.containsKey("_id") && !(query.get("_id") instanceof Document)) {
            return null; // a lookup by _id: the _id index finds the one document (OrderedIndex.canHandle)
        }
        IndexScan best = null;
        for (Index<Object> index : getIndexes()) {
            if (index instanceof OrderedIndex ordered) {
                IndexScan scan = IndexScan.plan(ordered, query);
                if (scan != null && (best == null || scan.strength() > best.strength()
                        || (scan.strength() == best.strength() && scan.yieldsOrder(orderBy) && !best.yieldsOrder(orderBy)))) {
                    best = scan;
                }
            }
        }
        return best;
    }

    /** The index on {@code _id}; {@code null} in the server's own collections that have none. */
    private Index<Object> idIndex() {
        return getIndexes().stream().filter(index -> index.getKeys().size() == 1
                && index.getKeys().get(0).getKey().equals("_id")).findFirst().orElse(null);
    }

    private static boolean isNaturalOrder(Document orderBy) {
        return orderBy != null && orderBy.containsKey("$natural");
    }
}
