package io.granary.usage;

import com.mongodb.MongoBulkWriteException;
import com.mongodb.bulk.BulkWriteError;
import io.granary.common.IndexedCollection;
import io.granary.common.MetadataErrors;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.Date;
import java.util.List;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.bson.Document;
import org.springframework.data.domain.Sort;
import org.springframework.data.mongodb.BulkOperationException;
import org.springframework.data.mongodb.core.BulkOperations;
import org.springframework.data.mongodb.core.ReactiveMongoTemplate;
import org.springframework.data.mongodb.core.index.Index;
import org.springframework.data.mongodb.core.query.Criteria;
import org.springframework.data.mongodb.core.query.Query;
import org.springframework.data.mongodb.core.query.Update;
import org.springframework.stereotype.Repository;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The usage history in the collection {@value #COLLECTION}: documents
 * {@code {_id: "<tenantId>/<bucketId>/<yyyy-mm-dd>", tenantId, bucketId, day, requests,
 * bytesDownloaded, bytes, objects}}, {@code day} being the day's UTC midnight. A tenant's or a
 * bucket's days are a range of the unique {@code _id} index (the ids share everything up to the
 * date, and dates in ISO form sort as days do), so reading a history walks only its rows.
 */
@Repository
class MongoUsageHistoryRepository implements UsageHistoryRepository, IndexedCollection {

    static final String COLLECTION = "usage_history";
    /**
     * MongoDB's TTL monitor deletes rows a day later than the retention does ({@link HistorySnapshots}),
     * so it only ever catches what a long-stopped installation left behind.
     */
    static final Duration EXPIRY = Duration.ofDays(HistorySnapshots.RETENTION_DAYS + 1);

    private final ReactiveMongoTemplate mongo;

    MongoUsageHistoryRepository(ReactiveMongoTemplate mongo) {
        this.mongo = mongo;
    }

    @Override
    public Mono<Void> ensureIndexes() {
        // The index on day serves the retention's delete; as a TTL index it is also MongoDB's own
        // backstop. A server that takes no TTL index (the embedded one may not) gets a plain one.
        return mongo.indexOps(COLLECTION).createIndex(new Index("day", Sort.Direction.ASC).expire(EXPIRY))
                .onErrorResume(error -> mongo.indexOps(COLLECTION).createIndex(new Index("day", Sort.Direction.ASC)))
                .then();
    }

    @Override
    public Mono<Void> addTraffic(List<DailyUsage> rows) {
        return write(rows, row -> created(row).inc("requests", row.requests()).inc("bytesDownloaded", row.bytesDownloaded()));
    }

    @Override
    public Mono<Void> snapshot(List<DailyUsage> rows) {
        return write(rows, row -> created(row).set("bytes", row.bytes()).set("objects", row.objects()));
    }

    /** One upsert per row, unordered: a row that fails stops none of the others. */
    private Mono<Void> write(List<DailyUsage> rows, Function<DailyUsage, Update> update) {
        if (rows.isEmpty()) {
            return Mono.empty();
        }
        return Mono.defer(() -> {
            var bulk = mongo.bulkOps(BulkOperations.BulkMode.UNORDERED, COLLECTION);
            rows.forEach(row -> bulk.upsert(Query.query(Criteria.where("_id").is(row.id())), update.apply(row)));
            return bulk.execute().then();
        }).onErrorMap(MongoUsageHistoryRepository::partial).onErrorMap(MetadataErrors::translate);
    }

    /** The fields a row's document is created with. */
    private static Update created(DailyUsage row) {
        return new Update().setOnInsert("tenantId", row.tenantId()).setOnInsert("bucketId", row.bucketId())
                .setOnInsert("day", date(row.day()));
    }

    /**
     * A bulk write that failed for some rows only, as a {@link PartialWrite} naming them (the
     * translator turns one with a duplicate key, two nodes creating the same row at once, into
     * a {@code DuplicateKeyException} around it); anything else as it is.
     */
    private static Throwable partial(Throwable error) {
        for (Throwable cause = error; cause != null; cause = cause.getCause()) {
            List<BulkWriteError> errors = cause instanceof BulkOperationException bulk ? bulk.getErrors()
                    : cause instanceof MongoBulkWriteException bulk ? bulk.getWriteErrors() : null;
            if (errors != null && !errors.isEmpty()) {
                Set<Integer> failed = errors.stream().map(BulkWriteError::getIndex).collect(Collectors.toSet());
                return new PartialWrite(failed, error);
            }
        }
        return error;
    }

    @Override
    public Flux<DailyUsage> find(String tenantId, String bucketId, LocalDate from, LocalDate to) {
        Query rows = Query.query(Criteria.where("_id").gte(DailyUsage.id(tenantId, bucketId, from))
                        .lte(DailyUsage.id(tenantId, bucketId, to))
                        .and("tenantId").is(tenantId).and("bucketId").is(bucketId))
                .with(Sort.by("_id"));
        return mongo.find(rows, Document.class, COLLECTION)
                .map(row -> new DailyUsage(tenantId, bucketId,
                        LocalDate.ofInstant(row.getDate("day").toInstant(), ZoneOffset.UTC),
                        number(row.get("bytes")), number(row.get("objects")),
                        orZero(row.get("requests")), orZero(row.get("bytesDownloaded"))))
                .onErrorMap(MetadataErrors::translate);
    }

    @Override
    public Mono<Long> deleteBefore(LocalDate day) {
        return mongo.remove(Query.query(Criteria.where("day").lt(date(day))), COLLECTION)
                .map(result -> result.getDeletedCount())
                .onErrorMap(MetadataErrors::translate);
    }

    static Date date(LocalDate day) {
        return Date.from(day.atStartOfDay(ZoneOffset.UTC).toInstant());
    }

    private static Long number(Object value) {
        return value == null ? null : ((Number) value).longValue();
    }

    private static long orZero(Object value) {
        return value == null ? 0 : ((Number) value).longValue();
    }
}
