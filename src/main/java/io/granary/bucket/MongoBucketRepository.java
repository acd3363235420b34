package io.granary.bucket;

import io.granary.error.ErrorCode;
import io.granary.error.GranaryException;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.data.domain.Sort;
import org.springframework.data.mongodb.core.FindAndModifyOptions;
import org.springframework.data.mongodb.core.ReactiveMongoTemplate;
import org.springframework.data.mongodb.core.index.Index;
import org.springframework.data.mongodb.core.query.Criteria;
import org.springframework.data.mongodb.core.query.Query;
import org.springframework.data.mongodb.core.query.Update;
import io.granary.common.IndexedCollection;
import io.granary.common.MetadataErrors;
import java.util.Map;
import org.springframework.stereotype.Repository;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

@Repository
class MongoBucketRepository implements BucketRepository, IndexedCollection {

    private final ReactiveMongoTemplate mongo;

    MongoBucketRepository(ReactiveMongoTemplate mongo) {
        this.mongo = mongo;
    }

    @Override
    public Mono<Void> ensureIndexes() {
        return mongo.indexOps(Bucket.class)
                .createIndex(new Index().on("tenantId", Sort.Direction.ASC).on("name", Sort.Direction.ASC).unique())
                // By name alone: a CORS preflight asks which tenants have a bucket of that name.
                .then(mongo.indexOps(Bucket.class).createIndex(new Index().on("name", Sort.Direction.ASC)))
                .then();
    }

    @Override
    public Mono<Bucket> insert(Bucket bucket) {
        return mongo.insert(bucket).onErrorMap(DuplicateKeyException.class,
                e -> new GranaryException(ErrorCode.BUCKET_EXISTS, "A bucket named '" + bucket.name() + "' exists."))
                .onErrorMap(MetadataErrors::translate);
    }

    @Override
    public Mono<Bucket> find(String tenantId, String name) {
        return mongo.findOne(byName(tenantId, name), Bucket.class)
                .onErrorMap(MetadataErrors::translate);
    }

    @Override
    public Flux<Bucket> findByTenant(String tenantId) {
        return mongo.find(Query.query(Criteria.where("tenantId").is(tenantId)).with(Sort.by("name")), Bucket.class)
                .onErrorMap(MetadataErrors::translate);
    }

    @Override
    public Mono<BucketOwners> ownersOf(String name) {
        Query named = Query.query(Criteria.where("name").is(name));
        named.fields().include("tenantId");
        return mongo.find(named, Bucket.class).map(Bucket::tenantId).collectList().map(BucketOwners::new)
                .onErrorMap(MetadataErrors::translate);
    }

    @Override
    public Mono<Long> countByTenant(String tenantId) {
        return mongo.count(Query.query(Criteria.where("tenantId").is(tenantId)), Bucket.class)
                .onErrorMap(MetadataErrors::translate);
    }

    @Override
    public Flux<Bucket> withLifecycleRules() {
        // No rules are stored as no field at all (BucketSettings), so this matches only buckets with some.
        return mongo.find(Query.query(Criteria.where(LifecycleRule.FIELD).ne(null)), Bucket.class)
                .onErrorMap(MetadataErrors::translate);
    }

    @Override
    public Mono<Bucket> update(String id, Map<String, Object> fields) {
        Update update = new Update();
        fields.forEach(update::set);
        return mongo.findAndModify(Query.query(Criteria.where("_id").is(id)), update,
                FindAndModifyOptions.options().returnNew(false), Bucket.class)
                .onErrorMap(MetadataErrors::translate);
    }

    @Override
    public Mono<Boolean> delete(Bucket bucket) {
        return mongo.remove(Query.query(Criteria.where("_id").is(bucket.id()).and("tenantId").is(bucket.tenantId())), Bucket.class)
                .map(result -> result.getDeletedCount() > 0)
                .onErrorMap(MetadataErrors::translate);
    }

    private static Query byName(String tenantId, String name) {
        return Query.query(Criteria.where("tenantId").is(tenantId).and("name").is(name));
    }
}
