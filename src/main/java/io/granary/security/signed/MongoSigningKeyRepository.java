package io.granary.security.signed;

import io.granary.common.MetadataErrors;
import org.springframework.data.domain.Sort;
import org.springframework.data.mongodb.core.ReactiveMongoTemplate;
import org.springframework.data.mongodb.core.query.Criteria;
import org.springframework.data.mongodb.core.query.Query;
import org.springframework.stereotype.Repository;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

@Repository
class MongoSigningKeyRepository implements SigningKeyRepository {

    private final ReactiveMongoTemplate mongo;

    MongoSigningKeyRepository(ReactiveMongoTemplate mongo) {
        this.mongo = mongo;
    }

    @Override
    public Mono<SigningKey> insert(SigningKey key) {
        return mongo.insert(key)
                .onErrorMap(MetadataErrors::translate);
    }

    @Override
    public Mono<SigningKey> find(String kid) {
        return mongo.findById(kid, SigningKey.class)
                .onErrorMap(MetadataErrors::translate);
    }

    @Override
    public Flux<SigningKey> findAll() {
        return mongo.find(new Query().with(Sort.by(Sort.Direction.DESC, "createdAt")), SigningKey.class)
                .onErrorMap(MetadataErrors::translate);
    }

    @Override
    public Mono<Boolean> delete(String kid) {
        return mongo.remove(Query.query(Criteria.where("_id").is(kid)), SigningKey.class)
                .map(result -> result.getDeletedCount() > 0)
                .onErrorMap(MetadataErrors::translate);
    }
}
