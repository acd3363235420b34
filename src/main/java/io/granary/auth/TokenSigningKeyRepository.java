package io.granary.auth;

import io.granary.common.MetadataErrors;
import org.springframework.data.domain.Sort;
import org.springframework.data.mongodb.core.ReactiveMongoTemplate;
import org.springframework.data.mongodb.core.query.Query;
import org.springframework.stereotype.Repository;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/** The embedded issuer's key pairs in MongoDB. */
@Repository
class TokenSigningKeyRepository {

    private final ReactiveMongoTemplate mongo;

    TokenSigningKeyRepository(ReactiveMongoTemplate mongo) {
        this.mongo = mongo;
    }

    Mono<TokenSigningKey> insert(TokenSigningKey key) {
        return mongo.insert(key).onErrorMap(MetadataErrors::translate);
    }

    /** All keys, newest first. */
    Flux<TokenSigningKey> findAll() {
        return mongo.find(new Query().with(Sort.by(Sort.Direction.DESC, "createdAt")), TokenSigningKey.class)
                .onErrorMap(MetadataErrors::translate);
    }
}
