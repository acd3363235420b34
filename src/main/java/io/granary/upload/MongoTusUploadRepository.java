package io.granary.upload;

import io.granary.common.IndexedCollection;
import io.granary.common.MetadataErrors;
import io.granary.object.BlobClaims;
import java.time.Instant;
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

/**
 * Tus uploads in the {@code tus_uploads} collection; also tells the orphan sweeper that a tail
 * blob is spoken for.
 */
@Repository
class MongoTusUploadRepository implements TusUploadRepository, IndexedCollection, BlobClaims {

    private static final FindAndModifyOptions NEW = FindAndModifyOptions.options().returnNew(true);

    private final ReactiveMongoTemplate mongo;

    MongoTusUploadRepository(ReactiveMongoTemplate mongo) {
        this.mongo = mongo;
    }

    @Override
    public Mono<Void> ensureIndexes() {
        return mongo.indexOps(TusUpload.class).createIndex(new Index("expiresAt", Sort.Direction.ASC))
                .then(mongo.indexOps(TusUpload.class).createIndex(new Index("tailPath", Sort.Direction.ASC)))
                .then();
    }

    @Override
    public Mono<TusUpload> insert(TusUpload upload) {
        return mongo.insert(upload).onErrorMap(MetadataErrors::translate);
    }

    @Override
    public Mono<TusUpload> find(String id) {
        return mongo.findById(id, TusUpload.class).onErrorMap(MetadataErrors::translate);
    }

    @Override
    public Mono<TusUpload> lock(String id, String owner, Instant now, Instant until) {
        Query query = Query.query(Criteria.where("_id").is(id)
                .orOperator(Criteria.where("lockUntil").is(null), Criteria.where("lockUntil").lt(now)));
        Update update = new Update().set("lockOwner", owner).set("lockUntil", until);
        return mongo.findAndModify(query, update, NEW, TusUpload.class).onErrorMap(MetadataErrors::translate);
    }

    @Override
    public Mono<Boolean> renew(String id, String owner, Instant until) {
        return mongo.updateFirst(owned(id, owner), new Update().set("lockUntil", until), TusUpload.class)
                .map(result -> result.getMatchedCount() > 0).onErrorMap(MetadataErrors::translate);
    }

    @Override
    public Mono<Void> unlock(String id, String owner) {
        return mongo.updateFirst(owned(id, owner), new Update().unset("lockOwner").unset("lockUntil"), TusUpload.class)
                .then().onErrorMap(MetadataErrors::translate);
    }

    @Override
    public Mono<TusUpload> declareLength(String id, String owner, long length) {
        Query query = owned(id, owner).addCriteria(Criteria.where("length").is(null));
        return mongo.findAndModify(query, new Update().set("length", length), NEW, TusUpload.class)
                .onErrorMap(MetadataErrors::translate);
    }

    @Override
    public Mono<TusUpload> advance(String id, String owner, long from, long to, String tailPath) {
        Query query = owned(id, owner).addCriteria(Criteria.where("offset").is(from));
        Update update = new Update().set("offset", to).set("tailPath", tailPath);
        return mongo.findAndModify(query, update, NEW, TusUpload.class).onErrorMap(MetadataErrors::translate);
    }

    @Override
    public Mono<TusUpload> markCompleted(String id) {
        return mongo.findAndModify(Query.query(Criteria.where("_id").is(id)),
                new Update().set("completed", true).set("tailPath", null), NEW, TusUpload.class)
                .onErrorMap(MetadataErrors::translate);
    }

    @Override
    public Flux<TusUpload> expiredBefore(Instant cutoff) {
        return mongo.find(Query.query(Criteria.where("expiresAt").lt(cutoff)), TusUpload.class)
                .onErrorMap(MetadataErrors::translate);
    }

    @Override
    public Mono<Void> remove(String id) {
        return mongo.remove(Query.query(Criteria.where("_id").is(id)), TusUpload.class).then()
                .onErrorMap(MetadataErrors::translate);
    }

    @Override
    public Mono<Boolean> claims(String blobPath) {
        return mongo.exists(Query.query(Criteria.where("tailPath").is(blobPath)), TusUpload.class)
                .onErrorMap(MetadataErrors::translate);
    }

    private static Query owned(String id, String owner) {
        return Query.query(Criteria.where("_id").is(id).and("lockOwner").is(owner));
    }
}
