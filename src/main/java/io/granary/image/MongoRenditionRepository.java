package io.granary.image;

import io.granary.common.IndexedCollection;
import io.granary.common.MetadataErrors;
import java.util.Collection;
import org.bson.Document;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.data.domain.Sort;
import org.springframework.data.mongodb.core.ReactiveMongoTemplate;
import org.springframework.data.mongodb.core.index.Index;
import org.springframework.data.mongodb.core.query.Criteria;
import org.springframework.data.mongodb.core.query.Query;
import org.springframework.stereotype.Repository;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/** Renditions in the {@code renditions} collection. */
@Repository
class MongoRenditionRepository implements RenditionRepository, IndexedCollection {

    private static final String COLLECTION = "renditions";

    private final ReactiveMongoTemplate mongo;

    MongoRenditionRepository(ReactiveMongoTemplate mongo) {
        this.mongo = mongo;
    }

    @Override
    public Mono<Void> ensureIndexes() {
        // Deleting a retired version's renditions, and the sweeper's question about blobs.
        return mongo.indexOps(StoredRendition.class).createIndex(new Index("sourceBlob", Sort.Direction.ASC))
                .then(mongo.indexOps(StoredRendition.class).createIndex(new Index("blob", Sort.Direction.ASC)))
                .then();
    }

    @Override
    public Mono<StoredRendition> find(String id) {
        return mongo.findById(id, StoredRendition.class).onErrorMap(MetadataErrors::translate);
    }

    @Override
    public Mono<StoredRendition> findRecorded(String id) {
        return find(id);
    }

    @Override
    public Mono<StoredRendition> insertOrGet(StoredRendition rendition) {
        return mongo.insert(rendition)
                .onErrorResume(DuplicateKeyException.class, e -> find(rendition.id()))
                .onErrorMap(MetadataErrors::translate);
    }

    @Override
    public Flux<StoredRendition> findBySource(String sourceBlob) {
        return mongo.find(Query.query(Criteria.where("sourceBlob").is(sourceBlob)), StoredRendition.class)
                .onErrorMap(MetadataErrors::translate);
    }

    @Override
    public Flux<StoredRendition> findAll() {
        return mongo.findAll(StoredRendition.class).onErrorMap(MetadataErrors::translate);
    }

    @Override
    public Flux<String> referencedBlobs(Collection<String> blobs) {
        Query query = Query.query(Criteria.where("blob").in(blobs));
        query.fields().include("blob");
        // Read as documents: only the one field is fetched.
        return mongo.find(query, Document.class, COLLECTION).map(document -> document.getString("blob"))
                .onErrorMap(MetadataErrors::translate);
    }

    @Override
    public Mono<Void> delete(String id) {
        return mongo.remove(Query.query(Criteria.where("_id").is(id)), StoredRendition.class)
                .onErrorMap(MetadataErrors::translate).then();
    }
}
