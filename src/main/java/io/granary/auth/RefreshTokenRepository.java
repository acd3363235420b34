package io.granary.auth;

import io.granary.common.IndexedCollection;
import io.granary.common.MetadataErrors;
import java.time.Duration;
import java.time.Instant;
import org.springframework.data.domain.Sort;
import org.springframework.data.mongodb.core.ReactiveMongoTemplate;
import org.springframework.data.mongodb.core.index.Index;
import org.springframework.data.mongodb.core.query.Criteria;
import org.springframework.data.mongodb.core.query.Query;
import org.springframework.data.mongodb.core.query.Update;
import org.springframework.stereotype.Repository;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/** Refresh tokens in MongoDB. */
@Repository
class RefreshTokenRepository implements IndexedCollection {

    private final ReactiveMongoTemplate mongo;

    RefreshTokenRepository(ReactiveMongoTemplate mongo) {
        this.mongo = mongo;
    }

    @Override
    public Mono<Void> ensureIndexes() {
        return mongo.indexOps(RefreshToken.class).createIndex(new Index("familyId", Sort.Direction.ASC))
                .then(mongo.indexOps(RefreshToken.class).createIndex(new Index("expiresAt", Sort.Direction.ASC)))
                .then(mongo.indexOps(RefreshToken.class).createIndex(new Index("userId", Sort.Direction.ASC)))
                .then();
    }

    Mono<RefreshToken> insert(RefreshToken token) {
        return mongo.insert(token).onErrorMap(MetadataErrors::translate);
    }

    /** Marks the token used if it was not; completes with it as it was before, or empty when it was already used or is unknown. */
    Mono<RefreshToken> markUsed(String digest, Instant now) {
        return mongo.findAndModify(Query.query(Criteria.where("_id").is(digest).and("usedAt").is(null)),
                        new Update().set("usedAt", now), RefreshToken.class)
                .onErrorMap(MetadataErrors::translate);
    }

    Mono<RefreshToken> find(String digest) {
        return mongo.findById(digest, RefreshToken.class).onErrorMap(MetadataErrors::translate);
    }

    /** Ends a session: marks the family revoked first, then deletes its tokens. */
    Mono<Void> revokeFamily(String familyId, Instant now) {
        return mongo.save(new RevokedFamily(familyId, now))
                .then(mongo.remove(Query.query(Criteria.where("familyId").is(familyId)), RefreshToken.class))
                .then()
                .onErrorMap(MetadataErrors::translate);
    }

    /**
     * The unspent, unexpired tokens of {@code userId}: one per live session (a refresh spends
     * the old token before it stores the new one).
     */
    Flux<RefreshToken> live(String userId, Instant now) {
        return mongo.find(Query.query(Criteria.where("userId").is(userId).and("usedAt").is(null).and("expiresAt").gt(now)),
                        RefreshToken.class)
                .onErrorMap(MetadataErrors::translate);
    }

    Mono<Boolean> isRevoked(String familyId) {
        return mongo.exists(Query.query(Criteria.where("_id").is(familyId)), RevokedFamily.class)
                .onErrorMap(MetadataErrors::translate);
    }

    Mono<Void> delete(String digest) {
        return mongo.remove(Query.query(Criteria.where("_id").is(digest)), RefreshToken.class).then()
                .onErrorMap(MetadataErrors::translate);
    }

    /**
     * Drops tokens that expired before {@code now}, and revocation markers older than any token
     * can live (called on each login, so both collections stay small).
     */
    Mono<Void> deleteExpired(Instant now, Duration tokenLifetime) {
        return mongo.remove(Query.query(Criteria.where("expiresAt").lt(now)), RefreshToken.class)
                .then(mongo.remove(Query.query(Criteria.where("revokedAt").lt(now.minus(tokenLifetime))), RevokedFamily.class))
                .then()
                .onErrorMap(MetadataErrors::translate);
    }
}
