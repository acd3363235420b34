package io.granary.upload;

import io.granary.common.IndexedCollection;
import io.granary.common.MetadataErrors;
import io.granary.object.BlobClaims;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import org.springframework.data.domain.Sort;
import org.springframework.data.mongodb.core.FindAndModifyOptions;
import org.springframework.data.mongodb.core.ReactiveMongoTemplate;
import org.springframework.data.mongodb.core.index.Index;
import org.springframework.data.mongodb.core.query.Criteria;
import org.springframework.data.mongodb.core.query.Query;
import org.springframework.data.mongodb.core.query.Update;
import org.springframework.stereotype.Repository;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/** Upload intents in the {@code upload_intents} collection; also tells the orphan sweeper which blobs open intents hold. */
@Repository
class MongoUploadIntentRepository implements UploadIntentRepository, IndexedCollection, BlobClaims {

    private static final List<UploadIntent.State> OPEN = List.of(UploadIntent.State.PENDING, UploadIntent.State.COMPLETING);

    private final ReactiveMongoTemplate mongo;

    MongoUploadIntentRepository(ReactiveMongoTemplate mongo) {
        this.mongo = mongo;
    }

    @Override
    public Mono<Void> ensureIndexes() {
        // The sweeper's queries, and the orphan sweeper's question about one blob.
        return mongo.indexOps(UploadIntent.class)
                .createIndex(new Index().on("state", Sort.Direction.ASC).on("expiresAt", Sort.Direction.ASC))
                .then(mongo.indexOps(UploadIntent.class)
                        .createIndex(new Index().on("state", Sort.Direction.ASC).on("stateChangedAt", Sort.Direction.ASC)))
                .then(mongo.indexOps(UploadIntent.class).createIndex(new Index("upload.staging", Sort.Direction.ASC)))
                .then();
    }

    @Override
    public Mono<UploadIntent> insert(UploadIntent intent) {
        return mongo.insert(intent).onErrorMap(MetadataErrors::translate);
    }

    @Override
    public Mono<UploadIntent> find(String id) {
        return mongo.findById(id, UploadIntent.class).onErrorMap(MetadataErrors::translate);
    }

    @Override
    public Mono<UploadIntent> transition(String id, UploadIntent.State from, UploadIntent.State to, Instant at,
                                         Instant aliveAt, String rejection) {
        Query query = Query.query(Criteria.where("_id").is(id).and("state").is(from));
        if (aliveAt != null) {
            query.addCriteria(Criteria.where("expiresAt").gt(aliveAt));
        }
        Update update = new Update().set("state", to).set("stateChangedAt", at).set("rejection", rejection);
        return mongo.findAndModify(query, update, FindAndModifyOptions.options().returnNew(true), UploadIntent.class)
                .onErrorMap(MetadataErrors::translate);
    }

    @Override
    public Flux<UploadIntent> expiredBefore(Collection<UploadIntent.State> states, Instant cutoff) {
        return mongo.find(Query.query(Criteria.where("state").in(states).and("expiresAt").lt(cutoff)), UploadIntent.class)
                .onErrorMap(MetadataErrors::translate);
    }

    @Override
    public Flux<UploadIntent> inStateSince(UploadIntent.State state, Instant cutoff) {
        return mongo.find(Query.query(Criteria.where("state").is(state).and("stateChangedAt").lt(cutoff)), UploadIntent.class)
                .onErrorMap(MetadataErrors::translate);
    }

    @Override
    public Mono<Void> remove(String id) {
        return mongo.remove(Query.query(Criteria.where("_id").is(id)), UploadIntent.class).then()
                .onErrorMap(MetadataErrors::translate);
    }

    @Override
    public Mono<Boolean> claims(String blobPath) {
        return mongo.exists(Query.query(Criteria.where("upload.staging").is(blobPath).and("state").in(OPEN)), UploadIntent.class)
                .onErrorMap(MetadataErrors::translate);
    }
}
