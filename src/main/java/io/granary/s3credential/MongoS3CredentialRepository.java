package io.granary.s3credential;

import io.granary.common.IndexedCollection;
import io.granary.common.MetadataErrors;
import org.springframework.data.domain.Sort;
import org.springframework.data.mongodb.core.ReactiveMongoTemplate;
import org.springframework.data.mongodb.core.index.Index;
import org.springframework.data.mongodb.core.query.Criteria;
import org.springframework.data.mongodb.core.query.Query;
import org.springframework.data.mongodb.core.query.Update;
import org.springframework.stereotype.Repository;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

@Repository
class MongoS3CredentialRepository implements S3CredentialRepository, IndexedCollection {

    private final ReactiveMongoTemplate mongo;

    MongoS3CredentialRepository(ReactiveMongoTemplate mongo) {
        this.mongo = mongo;
    }

    @Override
    public Mono<Void> ensureIndexes() {
        return mongo.indexOps(S3Credential.class).createIndex(new Index("accessKeyId", Sort.Direction.ASC).unique())
                .then(mongo.indexOps(S3Credential.class).createIndex(new Index("tenantId", Sort.Direction.ASC))).then();
    }

    @Override
    public Mono<S3Credential> insert(S3Credential credential) {
        return mongo.insert(credential).onErrorMap(MetadataErrors::translate);
    }

    @Override
    public Mono<S3Credential> findByAccessKeyId(String accessKeyId) {
        return mongo.findOne(Query.query(Criteria.where("accessKeyId").is(accessKeyId)), S3Credential.class)
                .onErrorMap(MetadataErrors::translate);
    }

    @Override
    public Flux<S3Credential> findByTenant(String tenantId) {
        return mongo.find(Query.query(Criteria.where("tenantId").is(tenantId)).with(Sort.by("createdAt")), S3Credential.class)
                .onErrorMap(MetadataErrors::translate);
    }

    @Override
    public Flux<S3Credential> findAll() {
        return mongo.findAll(S3Credential.class).onErrorMap(MetadataErrors::translate);
    }

    @Override
    public Mono<Boolean> replaceSealedSecret(S3Credential read, String sealed) {
        return mongo.updateFirst(Query.query(Criteria.where("_id").is(read.id()).and("sealedSecret").is(read.sealedSecret())),
                        Update.update("sealedSecret", sealed), S3Credential.class)
                .map(result -> result.getModifiedCount() > 0)
                .onErrorMap(MetadataErrors::translate);
    }

    @Override
    public Mono<S3Credential> delete(String tenantId, String id) {
        return mongo.findAndRemove(Query.query(Criteria.where("_id").is(id).and("tenantId").is(tenantId)), S3Credential.class)
                .onErrorMap(MetadataErrors::translate);
    }

    @Override
    public Mono<Void> deleteByTenant(String tenantId) {
        return mongo.remove(Query.query(Criteria.where("tenantId").is(tenantId)), S3Credential.class).then()
                .onErrorMap(MetadataErrors::translate);
    }
}
