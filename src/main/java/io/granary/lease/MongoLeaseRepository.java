package io.granary.lease;

import io.granary.common.MetadataErrors;
import java.time.Instant;
import java.util.Date;
import org.bson.Document;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.data.mongodb.core.FindAndModifyOptions;
import org.springframework.data.mongodb.core.ReactiveMongoTemplate;
import org.springframework.data.mongodb.core.query.Criteria;
import org.springframework.data.mongodb.core.query.Query;
import org.springframework.data.mongodb.core.query.Update;
import org.springframework.stereotype.Repository;
import reactor.core.publisher.Mono;

/** Leases in the {@code leases} collection, one document per name ({@code _id}). */
@Repository
class MongoLeaseRepository implements LeaseRepository {

    static final String COLLECTION = "leases";

    private final ReactiveMongoTemplate mongo;

    MongoLeaseRepository(ReactiveMongoTemplate mongo) {
        this.mongo = mongo;
    }

    @Override
    public Mono<Lease> acquire(String name, String owner, Instant now, Instant until, Instant finishedBefore) {
        Criteria free = new Criteria().orOperator(Criteria.where("until").is(null), Criteria.where("until").lt(now));
        Criteria criteria = Criteria.where("_id").is(name);
        criteria = finishedBefore == null ? criteria.andOperator(free)
                : criteria.andOperator(free, new Criteria().orOperator(Criteria.where("lastFinishedAt").is(null),
                        Criteria.where("lastFinishedAt").lt(finishedBefore)));
        Update take = new Update().set("owner", owner).set("since", now).set("until", until);
        // The document is created free first, so taking it is always an update of an existing
        // document: an upsert against a held lease would only fail on the duplicate _id.
        return ensure(name)
                .then(mongo.findAndModify(Query.query(criteria), take, FindAndModifyOptions.options().returnNew(true),
                        Document.class, COLLECTION))
                .map(MongoLeaseRepository::lease)
                .onErrorMap(MetadataErrors::translate);
    }

    private Mono<Void> ensure(String name) {
        return mongo.insert(new Document("_id", name), COLLECTION)
                .onErrorResume(DuplicateKeyException.class, e -> Mono.empty())
                .then();
    }

    @Override
    public Mono<Boolean> renew(String name, String owner, Instant until) {
        return mongo.updateFirst(owned(name, owner), new Update().set("until", until), COLLECTION)
                .map(result -> result.getMatchedCount() > 0)
                .onErrorMap(MetadataErrors::translate);
    }

    @Override
    public Mono<Void> release(String name, String owner, Instant finishedAt) {
        Update free = new Update().unset("owner").unset("since").unset("until");
        if (finishedAt != null) {
            free.set("lastFinishedAt", finishedAt);
        }
        return mongo.updateFirst(owned(name, owner), free, COLLECTION).then()
                .onErrorMap(MetadataErrors::translate);
    }

    @Override
    public Mono<Void> forget(String name, String owner) {
        return mongo.remove(owned(name, owner), COLLECTION).then()
                .onErrorMap(MetadataErrors::translate);
    }

    @Override
    public Mono<Long> forgetFree(String prefix, Instant now) {
        Criteria free = new Criteria().orOperator(Criteria.where("until").is(null), Criteria.where("until").lt(now));
        Criteria named = Criteria.where("_id").regex("^" + java.util.regex.Pattern.quote(prefix));
        return mongo.remove(Query.query(new Criteria().andOperator(named, free)), COLLECTION)
                .map(result -> result.getDeletedCount())
                .onErrorMap(MetadataErrors::translate);
    }

    @Override
    public Mono<Lease> find(String name) {
        return mongo.findById(name, Document.class, COLLECTION).map(MongoLeaseRepository::lease)
                .onErrorMap(MetadataErrors::translate);
    }

    private static Query owned(String name, String owner) {
        return Query.query(Criteria.where("_id").is(name).and("owner").is(owner));
    }

    private static Lease lease(Document document) {
        return new Lease(document.getString("_id"), document.getString("owner"), instant(document.get("since")),
                instant(document.get("until")), instant(document.get("lastFinishedAt")));
    }

    private static Instant instant(Object value) {
        return value instanceof Date date ? date.toInstant() : null;
    }
}
