package io.granary.audit;

import io.granary.common.IndexedCollection;
import io.granary.common.MetadataErrors;
import java.time.Duration;
import java.time.Instant;
import org.bson.Document;
import org.springframework.data.domain.Sort;
import org.springframework.data.mongodb.core.FindAndModifyOptions;
import org.springframework.data.mongodb.core.ReactiveMongoTemplate;
import org.springframework.data.mongodb.core.index.Index;
import org.springframework.data.mongodb.core.query.Criteria;
import org.springframework.data.mongodb.core.query.Query;
import org.springframework.data.mongodb.core.query.Update;
import org.springframework.stereotype.Repository;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

@Repository
class MongoAuditRepository implements AuditRepository, IndexedCollection {

    static final String EVENTS = "audit_events";
    static final String COUNTERS = "audit_denial_counters";

    private final ReactiveMongoTemplate mongo;

    MongoAuditRepository(ReactiveMongoTemplate mongo) {
        this.mongo = mongo;
    }

    @Override
    public Mono<Void> ensureIndexes() {
        return mongo.indexOps(AuditEvent.class)
                .createIndex(new Index().on("tenantId", Sort.Direction.ASC).on("at", Sort.Direction.ASC))
                .then(mongo.indexOps(AuditEvent.class).createIndex(new Index("at", Sort.Direction.ASC)))
                // Counters of past minutes are useless: MongoDB drops them once expired. (The
                // embedded server may not support TTL indexes; they are a few bytes each.)
                .then(mongo.indexOps(COUNTERS).createIndex(new Index("expiresAt", Sort.Direction.ASC).expire(Duration.ZERO))
                        .onErrorResume(error -> Mono.empty()))
                .then();
    }

    @Override
    public Mono<AuditEvent> insert(AuditEvent event) {
        return mongo.insert(event)
                .onErrorMap(MetadataErrors::translate);
    }

    @Override
    public Flux<AuditEvent> find(String tenantId, Instant since, String type, int limit) {
        Criteria criteria = Criteria.where("at").gte(since);
        if (tenantId != null) {
            criteria = criteria.and("tenantId").is(tenantId);
        }
        if (type != null) {
            criteria = criteria.and("type").is(type);
        }
        return mongo.find(Query.query(criteria).with(Sort.by("at", "_id")).limit(limit), AuditEvent.class)
                .onErrorMap(MetadataErrors::translate);
    }

    @Override
    public Mono<Long> increment(String window, long count, Instant expiresAt) {
        return mongo.findAndModify(Query.query(Criteria.where("_id").is(window)),
                        new Update().inc("n", count).setOnInsert("expiresAt", expiresAt),
                        FindAndModifyOptions.options().upsert(true).returnNew(true), Document.class, COUNTERS)
                .map(counter -> ((Number) counter.get("n")).longValue())
                .onErrorMap(MetadataErrors::translate);
    }

    @Override
    public Mono<Integer> pruneEvents(Instant cutoff, int limit) {
        return prune(EVENTS, Criteria.where("at").lt(cutoff), limit);
    }

    @Override
    public Mono<Integer> pruneCounters(Instant now, int limit) {
        return prune(COUNTERS, Criteria.where("expiresAt").lt(now), limit);
    }

    /**
     * One bounded batch: the ids of up to {@code limit} matching documents, then one delete of
     * exactly those (MongoDB's deleteMany takes no limit). On MongoDB the {@code at} and
     * {@code expiresAt} indexes find them; the embedded server scans.
     */
    private Mono<Integer> prune(String collection, Criteria old, int limit) {
        Query batch = Query.query(old).limit(limit);
        batch.fields().include("_id");
        return mongo.find(batch, Document.class, collection)
                .map(document -> document.get("_id"))
                .collectList()
                .flatMap(ids -> ids.isEmpty() ? Mono.just(0)
                        : mongo.remove(Query.query(Criteria.where("_id").in(ids)), collection).thenReturn(ids.size()))
                .onErrorMap(MetadataErrors::translate);
    }
}
