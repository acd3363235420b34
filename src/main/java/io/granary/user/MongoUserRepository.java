package io.granary.user;

import io.granary.common.IndexedCollection;
import io.granary.common.MetadataErrors;
import io.granary.error.ErrorCode;
import io.granary.error.GranaryException;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.data.domain.Sort;
import org.springframework.data.mongodb.core.FindAndReplaceOptions;
import org.springframework.data.mongodb.core.ReactiveMongoTemplate;
import org.springframework.data.mongodb.core.index.Index;
import org.springframework.data.mongodb.core.query.Criteria;
import org.springframework.data.mongodb.core.query.Query;
import org.springframework.stereotype.Repository;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

@Repository
class MongoUserRepository implements UserRepository, IndexedCollection {

    private final ReactiveMongoTemplate mongo;

    MongoUserRepository(ReactiveMongoTemplate mongo) {
        this.mongo = mongo;
    }

    @Override
    public Mono<Void> ensureIndexes() {
        return mongo.indexOps(UserAccount.class).createIndex(new Index("username", Sort.Direction.ASC).unique())
                .then(mongo.indexOps(UserAccount.class).createIndex(new Index("tenantId", Sort.Direction.ASC)))
                .then();
    }

    @Override
    public Mono<UserAccount> insert(UserAccount user) {
        return mongo.insert(user).onErrorMap(DuplicateKeyException.class,
                        e -> new GranaryException(ErrorCode.USER_EXISTS, "A user named '" + user.username() + "' exists."))
                .onErrorMap(MetadataErrors::translate);
    }

    @Override
    public Mono<UserAccount> findById(String id) {
        return mongo.findById(id, UserAccount.class).onErrorMap(MetadataErrors::translate);
    }

    @Override
    public Mono<UserAccount> findByUsername(String username) {
        return mongo.findOne(Query.query(Criteria.where("username").is(username)), UserAccount.class)
                .onErrorMap(MetadataErrors::translate);
    }

    @Override
    public Flux<UserAccount> find(String tenantId) {
        Query query = tenantId == null ? new Query() : Query.query(Criteria.where("tenantId").is(tenantId));
        return mongo.find(query.with(Sort.by("username")), UserAccount.class).onErrorMap(MetadataErrors::translate);
    }

    @Override
    public Mono<UserAccount> replace(UserAccount user, long expectedVersion) {
        return mongo.findAndReplace(Query.query(Criteria.where("_id").is(user.id()).and("sessionVersion").is(expectedVersion)), user,
                        FindAndReplaceOptions.options().returnNew())
                .onErrorMap(MetadataErrors::translate);
    }

    @Override
    public Mono<Boolean> delete(String id) {
        return mongo.remove(Query.query(Criteria.where("_id").is(id)), UserAccount.class)
                .map(result -> result.getDeletedCount() > 0)
                .onErrorMap(MetadataErrors::translate);
    }

    @Override
    public Mono<Void> deleteByTenant(String tenantId) {
        return mongo.remove(Query.query(Criteria.where("tenantId").is(tenantId)), UserAccount.class).then()
                .onErrorMap(MetadataErrors::translate);
    }

    @Override
    public Mono<Long> count() {
        return mongo.count(new Query(), UserAccount.class).onErrorMap(MetadataErrors::translate);
    }
}
