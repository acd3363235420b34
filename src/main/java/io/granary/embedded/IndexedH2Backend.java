package io.granary.embedded;

import de.bwaldvogel.mongo.MongoCollection;
import de.bwaldvogel.mongo.MongoDatabase;
import de.bwaldvogel.mongo.backend.CollectionOptions;
import de.bwaldvogel.mongo.backend.Index;
import de.bwaldvogel.mongo.backend.IndexKey;
import de.bwaldvogel.mongo.backend.h2.H2Backend;
import de.bwaldvogel.mongo.backend.h2.H2Database;
import de.bwaldvogel.mongo.bson.Document;
import java.util.List;
import org.h2.mvstore.MVMap;
import org.h2.mvstore.MVStore;

/**
 * mongo-java-server's H2 backend with ordered indexes: every index, {@code _id}'s included, is
 * an {@link OrderedIndex} kept in the same MVStore file as the documents, so
 * range queries, sorts with limits and lookups by any indexed field cost a walk of the index
 * instead of a scan of the collection, and a restart rebuilds nothing. Documents are kept as
 * BSON ({@link DocumentType}).
 */
final class IndexedH2Backend extends H2Backend {

    /** Where the server keeps a collection's documents and counters (H2Database's own map names). */
    private static final String DOCUMENTS = "databases.";
    private static final String COUNTERS = "meta.";
    private static final DocumentType DOCUMENT_TYPE = new DocumentType();

    IndexedH2Backend(String file) {
        super(file);
    }

    @Override
    protected MongoDatabase openOrCreateDatabase(String name) {
        return new Database(name);
    }

    /**
     * An inner class on purpose: H2Database opens its collections and indexes from its
     * constructor, before a subclass's own fields exist, so the store is reached through the
     * enclosing backend instead.
     */
    private final class Database extends H2Database {

        Database(String name) {
            super(name, IndexedH2Backend.this.getMvStore(), IndexedH2Backend.this.getCursorRegistry());
        }

        @Override
        protected MongoCollection<Object> openOrCreateCollection(String name, CollectionOptions options) {
            String namespace = getFullCollectionNamespace(name);
            MVMap<Object, Document> documents = getMvStore().openMap(DOCUMENTS + namespace,
                    new MVMap.Builder<Object, Document>().valueType(DOCUMENT_TYPE));
            MVMap<String, Object> counters = getMvStore().openMap(COUNTERS + namespace);
            return new IndexedH2Collection(this, name, options, documents, counters, cursorRegistry);
        }

        @Override
        protected Index<Object> openOrCreateUniqueIndex(String collection, String name, List<IndexKey> keys,
                                                        boolean sparse) {
            return ordered(collection, name, keys, sparse, true);
        }

        @Override
        protected Index<Object> openOrCreateSecondaryIndex(String collection, String name, List<IndexKey> keys,
                                                           boolean sparse) {
            return ordered(collection, name, keys, sparse, false);
        }

        @Override
        protected void dropIndex(MongoCollection<Object> collection, String name) {
            super.dropIndex(collection, name);
            getMvStore().removeMap(mapName(collection.getCollectionName(), name));
        }

        private OrderedIndex ordered(String collection, String name, List<IndexKey> keys, boolean sparse, boolean unique) {
            MVStore store = getMvStore();
            // An unordered unique index from an earlier release is replaced by this one.
            String unordered = getFullCollectionNamespace(collection) + "._index_" + name;
            if (store.hasMap(unordered)) {
                store.removeMap(unordered);
            }
            IndexKeyType order = new IndexKeyType(keys.stream().map(key -> !key.isAscending()).toList());
            MVMap<Object[], Boolean> entries = store.openMap(mapName(collection, name),
                    new MVMap.Builder<Object[], Boolean>().keyType(order));
            return new OrderedIndex(name, keys, sparse, unique, entries, order);
        }

        private String mapName(String collection, String name) {
            return getFullCollectionNamespace(collection) + "._ordered_" + name;
        }
    }
}
