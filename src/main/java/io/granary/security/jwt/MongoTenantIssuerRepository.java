package io.granary.security.jwt;

import io.granary.common.IndexedCollection;
import io.granary.common.MetadataErrors;
import io.granary.error.ErrorCode;
import io.granary.error.GranaryException;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.data.domain.Sort;
import org.springframework.data.mongodb.core.ReactiveMongoTemplate;
import org.springframework.data.mongodb.core.index.Index;
import org.springframework.data.mongodb.core.query.Criteria;
import org.springframework.data.mongodb.core.query.Query;
import org.springframework.stereotype.Repository;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;


@Repository
class MongoTenantIssuerRepository implements TenantIssuerRepository, IndexedCollection {

    private final ReactiveMongoTemplate mongo;

    MongoTenantIssuerRepository(ReactiveMongoTemplate mongo) {
        this.mongo = mongo;
    }

    @Override
    public Mono<Void> ensureIndexes() {
        return mongo.indexOps(TenantIssuer.class).createIndex(new Index("issuer", Sort.Direction.ASC).unique())
                .then(mongo.indexOps(TenantIssuer.class).createIndex(new Index("tenantId", Sort.Direction.ASC)))
                .then();
    }

    @Override
    public Mono<TenantIssuer> insert(TenantIssuer issuer) {
        return mongo.insert(issuer).onErrorMap(DuplicateKeyException.class,
                        e -> new GranaryException(ErrorCode.ISSUER_EXISTS, "The issuer '" + issuer.issuer() + "' is trusted already."))
                .onErrorMap(MetadataErrors::translate);
    }

    @Override
    public Mono<TenantIssuer> findByIssuer(String issuer) {
        return mongo.findOne(Query.query(Criteria.where("issuer").is(issuer)), TenantIssuer.class)
                .onErrorMap(MetadataErrors::translate);
    }

    @Override
    public Flux<TenantIssuer> findByTenant(String tenantId) {
        return mongo.find(Query.query(Criteria.where("tenantId").is(tenantId)).with(Sort.by("issuer")), TenantIssuer.class)
                .onErrorMap(MetadataErrors::translate);
    }

    @Override
    public Mono<Boolean> delete(String tenantId, String id) {
        return mongo.remove(Query.query(Criteria.where("_id").is(id).and("tenantId").is(tenantId)), TenantIssuer.class)
                .map(result -> result.getDeletedCount() > 0)
                .onErrorMap(MetadataErrors::translate);
    }

    @Override
    public Mono<Void> deleteByTenant(String tenantId) {
        return mongo.remove(Query.query(Criteria.where("tenantId").is(tenantId)), TenantIssuer.class).then()
                .onErrorMap(MetadataErrors::translate);
    }
}
