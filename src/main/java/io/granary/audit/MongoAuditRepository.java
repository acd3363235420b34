package io.granary.audit;

import io.granary.common.IndexedCollection;
import io.granary.common.MetadataErrors;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.bson.types.ObjectId;
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
    private static final Set<String> OLD_INDEXES = Set.of("tenantId_1_at_1", "at_1");

    private final ReactiveMongoTemplate mongo;

    MongoAuditRepository(ReactiveMongoTemplate mongo) {
        this.mongo = mongo;
    }

    @Override
    public Mono<Void> ensureIndexes() {
        // Queries walk (tenantId,) at, _id: the order of their pages, so a page stops at its
        // limit instead of sorting every event in range. The indexes of earlier releases
        // without _id are dropped once their replacements exist.
        return mongo.indexOps(AuditEvent.class)
                .createIndex(new Index().on("tenantId", Sort.Direction.ASC).on("at", Sort.Direction.ASC)
                        .on("_id", Sort.Direction.ASC))
                .then(mongo.indexOps(AuditEvent.class)
                        .createIndex(new Index().on("at", Sort.Direction.ASC).on("_id", Sort.Direction.ASC)))
                .thenMany(mongo.indexOps(AuditEvent.class).getIndexInfo()
                        .filter(index -> OLD_INDEXES.contains(index.getName()))
                        .concatMap(old -> mongo.indexOps(AuditEvent.class).dropIndex(old.getName())))
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
    public Flux<AuditEvent> find(String tenantId, AuditFilter filter, AuditCursor after, int limit) {
        // Equalities and one range on "at": the shape both MongoDB and the embedded server's
        // ordered indexes serve; the alternatives ($or) only narrow what the walk yields.
        Instant from = filter.since() == null ? Instant.EPOCH : filter.since();
        if (after != null && after.at().isAfter(from)) {
            from = after.at();
        }
        Criteria at = Criteria.where("at").gte(from);
        Criteria criteria = filter.until() == null ? at : at.lt(filter.until());
        equal(criteria, "tenantId", tenantId);
        equal(criteria, "type", filter.type());
        equal(criteria, "actor", filter.actor());
        List<Criteria> alternatives = new ArrayList<>();
        if (after != null) {
            // Past the cursor: a later instant, or the same one and a later id.
            alternatives.add(new Criteria().orOperator(Criteria.where("at").gt(after.at()),
                    Criteria.where("_id").gt(new ObjectId(after.id()))));
        }
        if (filter.bucket() != null) {
            // Its own events, and its objects' ("object:<name>/<key>"; '0' follows '/').
            alternatives.add(new Criteria().orOperator(Criteria.where("target").is("bucket:" + filter.bucket()),
                    Criteria.where("target").gte("object:" + filter.bucket() + "/").lt("object:" + filter.bucket() + "0")));
        }
        if (!alternatives.isEmpty()) {
            criteria = criteria.andOperator(alternatives);
        }
        return mongo.find(Query.query(criteria).with(Sort.by("at", "_id")).limit(limit), AuditEvent.class)
                .onErrorMap(MetadataErrors::translate);
    }

    private static void equal(Criteria criteria, String field, String value) {
        if (value != null) {
            criteria.and(field).is(value);
        }
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
