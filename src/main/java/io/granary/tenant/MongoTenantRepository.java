package io.granary.tenant;

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
import org.springframework.stereotype.Repository;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

@Repository
class MongoTenantRepository implements TenantRepository, IndexedCollection {

    private final ReactiveMongoTemplate mongo;

    MongoTenantRepository(ReactiveMongoTemplate mongo) {
        this.mongo = mongo;
    }

    @Override
    public Mono<Void> ensureIndexes() {
        return mongo.indexOps(Tenant.class).createIndex(new Index("name", Sort.Direction.ASC).unique()).then();
    }

    @Override
    public Mono<Tenant> insert(Tenant tenant) {
        return mongo.insert(tenant).onErrorMap(DuplicateKeyException.class,
                e -> new GranaryException(ErrorCode.TENANT_EXISTS, "A tenant named '" + tenant.name() + "' exists."))
                .onErrorMap(MetadataErrors::translate);
    }

    @Override
    public Mono<Tenant> findById(String id) {
        return mongo.findById(id, Tenant.class)
                .onErrorMap(MetadataErrors::translate);
    }

    @Override
    public Mono<Tenant> findByName(String name) {
        return mongo.findOne(Query.query(Criteria.where("name").is(name)), Tenant.class)
                .onErrorMap(MetadataErrors::translate);
    }

    @Override
    public Flux<Tenant> findAll() {
        return mongo.find(new Query().with(Sort.by("name")), Tenant.class)
                .onErrorMap(MetadataErrors::translate);
    }

    @Override
    public Mono<Tenant> updateQuotas(String id, Long quotaBytes, Long quotaObjects) {
        return mongo.findAndModify(Query.query(Criteria.where("_id").is(id)),
                        new Update().set("quotaBytes", quotaBytes).set("quotaObjects", quotaObjects),
                        FindAndModifyOptions.options().returnNew(true), Tenant.class)
                .onErrorMap(MetadataErrors::translate);
    }

    @Override
    public Mono<Boolean> delete(String id) {
        return mongo.remove(Query.query(Criteria.where("_id").is(id)), Tenant.class).map(r -> r.getDeletedCount() > 0)
                .onErrorMap(MetadataErrors::translate);
    }
}
