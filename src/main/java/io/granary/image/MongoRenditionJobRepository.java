package io.granary.image;

import io.granary.common.IndexedCollection;
import io.granary.common.MetadataErrors;
import java.time.Instant;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.data.domain.Sort;
import org.springframework.data.mongodb.core.FindAndModifyOptions;
import org.springframework.data.mongodb.core.ReactiveMongoTemplate;
import org.springframework.data.mongodb.core.index.Index;
import org.springframework.data.mongodb.core.query.Criteria;
import org.springframework.data.mongodb.core.query.Query;
import org.springframework.data.mongodb.core.query.Update;
import org.springframework.stereotype.Repository;
import reactor.core.publisher.Mono;

/** The pre-generation queue in the {@code rendition_jobs} collection; taking a job is one findAndModify. */
@Repository
class MongoRenditionJobRepository implements RenditionJobRepository, IndexedCollection {

    private final ReactiveMongoTemplate mongo;

    MongoRenditionJobRepository(ReactiveMongoTemplate mongo) {
        this.mongo = mongo;
    }

    @Override
    public Mono<Void> ensureIndexes() {
        return mongo.indexOps(RenditionJob.class)
                .createIndex(new Index().on("state", Sort.Direction.ASC).on("availableAt", Sort.Direction.ASC))
                .then(mongo.indexOps(RenditionJob.class)
                        .createIndex(new Index().on("state", Sort.Direction.ASC).on("leaseUntil", Sort.Direction.ASC)))
                .then();
    }

    @Override
    public Mono<Void> enqueue(RenditionJob job) {
        return mongo.insert(job).then()
                .onErrorResume(DuplicateKeyException.class, e -> Mono.empty())
                .onErrorMap(MetadataErrors::translate);
    }

    @Override
    public Mono<RenditionJob> take(Instant now, Instant leaseUntil) {
        Query due = Query.query(new Criteria().orOperator(
                Criteria.where("state").is(RenditionJob.State.QUEUED).and("availableAt").lte(now),
                Criteria.where("state").is(RenditionJob.State.RUNNING).and("leaseUntil").lt(now)));
        Update take = new Update().set("state", RenditionJob.State.RUNNING).set("leaseUntil", leaseUntil).inc("attempts", 1);
        return mongo.findAndModify(due, take, FindAndModifyOptions.options().returnNew(true), RenditionJob.class)
                .onErrorMap(MetadataErrors::translate);
    }

    @Override
    public Mono<Void> remove(String id) {
        return mongo.remove(Query.query(Criteria.where("_id").is(id)), RenditionJob.class).then()
                .onErrorMap(MetadataErrors::translate);
    }

    @Override
    public Mono<Void> release(String id, Instant availableAt, String error) {
        Update update = new Update().set("lastError", error).set("leaseUntil", null)
                .set("state", availableAt == null ? RenditionJob.State.FAILED : RenditionJob.State.QUEUED)
                .set("availableAt", availableAt);
        return mongo.updateFirst(Query.query(Criteria.where("_id").is(id)), update, RenditionJob.class).then()
                .onErrorMap(MetadataErrors::translate);
    }
}
