package io.granary.usage;

import io.granary.common.MetadataErrors;
import org.bson.Document;
import java.util.List;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.data.mongodb.core.BulkOperations;
import org.springframework.data.mongodb.core.FindAndModifyOptions;
import org.springframework.data.mongodb.core.ReactiveMongoTemplate;
import org.springframework.data.mongodb.core.query.Criteria;
import org.springframework.data.mongodb.core.query.Query;
import org.springframework.data.mongodb.core.query.Update;
import org.springframework.stereotype.Repository;
import reactor.core.publisher.Mono;

@Repository
class MongoUsageRepository implements UsageRepository {

    static final String COLLECTION = "usage";

    private final ReactiveMongoTemplate mongo;

    MongoUsageRepository(ReactiveMongoTemplate mongo) {
        this.mongo = mongo;
    }

    @Override
    public Mono<Boolean> add(String id, long bytes, long objects, Long maxBytes, Long maxObjects) {
        // Only growth is limited: a write that frees room passes even above a (lowered) quota.
        Criteria criteria = Criteria.where("_id").is(id);
        if (maxBytes != null && bytes > 0) {
            criteria = criteria.and("bytes").lte(maxBytes - bytes);
        }
        if (maxObjects != null && objects > 0) {
            criteria = criteria.and("objects").lte(maxObjects - objects);
        }
        Update increment = new Update().inc("bytes", bytes).inc("objects", objects);
        Mono<Boolean> attempt = mongo.findAndModify(Query.query(criteria), increment,
                        FindAndModifyOptions.options().returnNew(true), Document.class, COLLECTION)
                .map(updated -> true)
                .defaultIfEmpty(false);
        // Nothing matched: either the limit holds back, or the counter does not exist yet. Create
        // it at zero (a concurrent creator winning is fine) and try once more.
        return attempt.flatMap(done -> done ? Mono.just(true)
                        : ensure(id).then(attempt))
                .onErrorMap(MetadataErrors::translate);
    }

    private Mono<Void> ensure(String id) {
        return mongo.insert(new Document("_id", id).append("bytes", 0L).append("objects", 0L), COLLECTION)
                .onErrorResume(DuplicateKeyException.class, e -> Mono.empty())
                .then();
    }

    @Override
    public Mono<Void> subtract(String id, long bytes, long objects) {
        return mongo.updateFirst(Query.query(Criteria.where("_id").is(id)),
                        new Update().inc("bytes", -bytes).inc("objects", -objects), COLLECTION)
                .then()
                .onErrorMap(MetadataErrors::translate);
    }

    @Override
    public Mono<Void> addToAll(List<String> ids, long bytes, long objects, boolean create) {
        // One ordered bulk write: the driver sends consecutive updates as one "update" command.
        var bulk = mongo.bulkOps(BulkOperations.BulkMode.ORDERED, COLLECTION);
        for (String id : ids) {
            Query counter = Query.query(Criteria.where("_id").is(id));
            Update increment = new Update().inc("bytes", bytes).inc("objects", objects);
            if (create) {
                bulk.upsert(counter, increment);
            } else {
                bulk.updateOne(counter, increment);
            }
        }
        return bulk.execute().then().onErrorMap(MetadataErrors::translate);
    }

    @Override
    public Mono<Boolean> adjust(String id, long[] expected, long bytes, long objects) {
        Query unchanged = Query.query(Criteria.where("_id").is(id).and("bytes").is(expected[0]).and("objects").is(expected[1]));
        Mono<Boolean> attempt = mongo.findAndModify(unchanged, new Update().inc("bytes", bytes).inc("objects", objects),
                        FindAndModifyOptions.options().returnNew(true), Document.class, COLLECTION)
                .map(updated -> true)
                .defaultIfEmpty(false);
        // A missing counter reads as zeros: create it at zero and try once more.
        boolean zeros = expected[0] == 0 && expected[1] == 0;
        return attempt.flatMap(done -> done || !zeros ? Mono.just(done) : ensure(id).then(attempt))
                .onErrorMap(MetadataErrors::translate);
    }

    @Override
    public Mono<long[]> read(String id) {
        return mongo.findById(id, Document.class, COLLECTION)
                .map(counter -> new long[] {number(counter.get("bytes")), number(counter.get("objects"))})
                .defaultIfEmpty(new long[] {0, 0})
                .onErrorMap(MetadataErrors::translate);
    }

    @Override
    public Mono<long[]> remove(String id) {
        return mongo.findAndRemove(Query.query(Criteria.where("_id").is(id)), Document.class, COLLECTION)
                .map(counter -> new long[] {number(counter.get("bytes")), number(counter.get("objects"))})
                .onErrorMap(MetadataErrors::translate);
    }

    @Override
    public Mono<Void> delete(String id) {
        return mongo.remove(Query.query(Criteria.where("_id").is(id)), COLLECTION).then()
                .onErrorMap(MetadataErrors::translate);
    }

    private static long number(Object value) {
        return value == null ? 0 : ((Number) value).longValue();
    }
}
