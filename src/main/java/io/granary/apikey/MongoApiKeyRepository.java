package io.granary.apikey;

import org.springframework.data.domain.Sort;
import org.springframework.data.mongodb.core.ReactiveMongoTemplate;
import org.springframework.data.mongodb.core.index.Index;
import org.springframework.data.mongodb.core.query.Criteria;
import org.springframework.data.mongodb.core.query.Query;
import io.granary.common.IndexedCollection;
import io.granary.common.MetadataErrors;
import org.springframework.stereotype.Repository;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

@Repository
class MongoApiKeyRepository implements ApiKeyRepository, IndexedCollection {

    private final ReactiveMongoTemplate mongo;

    MongoApiKeyRepository(ReactiveMongoTemplate mongo) {
        this.mongo = mongo;
    }

    @Override
    public Mono<Void> ensureIndexes() {
        return mongo.indexOps(ApiKey.class).createIndex(new Index("tenantId", Sort.Direction.ASC)).then();
    }

    @Override
    public Mono<ApiKey> insert(ApiKey key) {
        return mongo.insert(key)
                .onErrorMap(MetadataErrors::translate);
    }

    @Override
    public Mono<ApiKey> findById(String id) {
        return mongo.findById(id, ApiKey.class)
                .onErrorMap(MetadataErrors::translate);
    }

    @Override
    public Flux<ApiKey> findByTenant(String tenantId) {
        return mongo.find(Query.query(Criteria.where("tenantId").is(tenantId)).with(Sort.by("createdAt")), ApiKey.class)
                .onErrorMap(MetadataErrors::translate);
    }

    @Override
    public Mono<Boolean> delete(String tenantId, String id) {
        return mongo.remove(Query.query(Criteria.where("_id").is(id).and("tenantId").is(tenantId)), ApiKey.class)
                .map(result -> result.getDeletedCount() > 0)
                .onErrorMap(MetadataErrors::translate);
    }

    @Override
    public Mono<Void> deleteByTenant(String tenantId) {
        return mongo.remove(Query.query(Criteria.where("tenantId").is(tenantId)), ApiKey.class).then()
                .onErrorMap(MetadataErrors::translate);
    }
}
