package io.granary.object;

import io.granary.bucket.Bucket;
import io.granary.error.ErrorCode;
import io.granary.error.GranaryException;
import java.time.Instant;
import java.util.Collection;
import java.util.Map;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.data.domain.Sort;
import org.springframework.data.mongodb.core.FindAndModifyOptions;
import org.springframework.data.mongodb.core.ReactiveMongoTemplate;
import org.springframework.data.mongodb.core.index.Index;
import org.springframework.data.mongodb.core.query.Criteria;
import org.springframework.data.mongodb.core.query.Query;
import org.springframework.data.mongodb.core.query.Update;
import io.granary.common.IndexedCollection;
import io.granary.common.MetadataErrors;
import org.springframework.stereotype.Repository;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

@Repository
class MongoObjectRepository implements ObjectRepository, IndexedCollection {

    private final ReactiveMongoTemplate mongo;

    MongoObjectRepository(ReactiveMongoTemplate mongo) {
        this.mongo = mongo;
    }

    @Override
    public Mono<Void> ensureIndexes() {
        return mongo.indexOps(StoredObject.class).createIndex(new Index()
                        .on("tenantId", Sort.Direction.ASC).on("bucketId", Sort.Direction.ASC).on("key", Sort.Direction.ASC)
                        .unique())
                .then(mongo.indexOps(StoredObject.class).createIndex(new Index("blob", Sort.Direction.ASC)))
                .then();
    }

    @Override
    public Mono<StoredObject> find(Bucket bucket, String key) {
        return mongo.findOne(byKey(bucket.tenantId(), bucket.id(), key), StoredObject.class)
                .onErrorMap(MetadataErrors::translate);
    }

    @Override
    public Mono<StoredObject> commit(StoredObject record, WriteCondition condition) {
        Query query = byKey(record.tenantId(), record.bucketId(), record.key());
        if (condition instanceof WriteCondition.Absent) {
            return mongo.insert(record).then(Mono.<StoredObject>empty())
                    // Another writer got there first; its ETag is not known here.
                    .onErrorMap(DuplicateKeyException.class, e -> preconditionFailed("An object already exists under '"
                            + record.key() + "' (it was created meanwhile); If-None-Match: * stores only when no object does."))
                    .onErrorMap(MetadataErrors::translate);
        }
        if (condition instanceof WriteCondition.Matching matching) {
            if (!matching.etags().isEmpty()) {
                query.addCriteria(Criteria.where("etag").in(matching.etags()));
            }
            return mongo.findAndModify(query, replacement(record), FindAndModifyOptions.options().returnNew(false),
                            StoredObject.class)
                    .switchIfEmpty(Mono.error(() -> preconditionFailed("The object under '" + record.key()
                            + "' was replaced or deleted meanwhile; its ETag no longer matches If-Match.")))
                    .onErrorMap(MetadataErrors::translate);
        }
        // Two first writers of one key can both try to insert; the unique index lets one win,
        // and the other then simply replaces the winner's version.
        return upsert(query, record).onErrorResume(DuplicateKeyException.class, e -> upsert(query, record))
                .onErrorMap(MetadataErrors::translate);
    }

    private Mono<StoredObject> upsert(Query query, StoredObject record) {
        return mongo.findAndModify(query, replacement(record).setOnInsert("tenantId", record.tenantId())
                        .setOnInsert("bucketId", record.bucketId()).setOnInsert("key", record.key()),
                FindAndModifyOptions.options().upsert(true).returnNew(false), StoredObject.class);
    }

    private static Update replacement(StoredObject record) {
        return new Update()
                .set("size", record.size())
                .set("etag", record.etag())
                .set("sha256", record.sha256())
                .set("contentType", record.contentType())
                .set("detectedType", record.detectedType())
                .set("cacheControl", record.cacheControl())
                .set("metadata", record.metadata())
                .set("tags", record.tags())
                .set("versionId", record.versionId())
                .set("blob", record.blob())
                .set("lastModified", record.lastModified())
                .set("partSizes", record.partSizes())
                .set("checksum", record.checksum());
    }

    @Override
    public Mono<StoredObject> updateMetadata(Bucket bucket, String key, String versionId, String contentType,
                                             String detectedType, String cacheControl, Map<String, String> metadata,
                                             Map<String, String> tags, Instant lastModified) {
        Update update = new Update().set("contentType", contentType).set("detectedType", detectedType)
                .set("cacheControl", cacheControl)
                .set("metadata", metadata).set("tags", tags).set("lastModified", lastModified);
        return ofVersion(bucket, key, versionId, update);
    }

    @Override
    public Mono<StoredObject> updateTags(Bucket bucket, String key, String versionId, Map<String, String> tags) {
        return ofVersion(bucket, key, versionId, new Update().set("tags", tags));
    }

    /** Applies {@code update} to the key's record only while {@code versionId} is its current version. */
    private Mono<StoredObject> ofVersion(Bucket bucket, String key, String versionId, Update update) {
        return mongo.findAndModify(byKey(bucket.tenantId(), bucket.id(), key).addCriteria(Criteria.where("versionId").is(versionId)),
                update,
                FindAndModifyOptions.options().returnNew(true), StoredObject.class)
                .onErrorMap(MetadataErrors::translate);
    }

    @Override
    public Mono<StoredObject> remove(Bucket bucket, String key, String versionId) {
        Query query = byKey(bucket.tenantId(), bucket.id(), key);
        if (versionId != null) {
            query.addCriteria(Criteria.where("versionId").is(versionId));
        }
        return mongo.findAndRemove(query, StoredObject.class)
                .onErrorMap(MetadataErrors::translate);
    }

    @Override
    public Flux<StoredObject> page(Bucket bucket, String prefix, String bound, boolean inclusive, int limit) {
        Criteria keyRange = Criteria.where("key");
        String lower = prefix;
        boolean lowerInclusive = true;
        if (bound != null && bound.compareTo(prefix) >= 0) {
            lower = bound;
            lowerInclusive = inclusive;
        }
        keyRange = lowerInclusive ? keyRange.gte(lower) : keyRange.gt(lower);
        String upper = KeyOrder.successor(prefix);
        if (upper != null) {
            keyRange = keyRange.lt(upper);
        }
        Query query = Query.query(Criteria.where("tenantId").is(bucket.tenantId()).and("bucketId").is(bucket.id()))
                .addCriteria(keyRange)
                .with(Sort.by("key"))
                .limit(limit);
        return mongo.find(query, StoredObject.class)
                .onErrorMap(MetadataErrors::translate);
    }

    @Override
    public Mono<Boolean> anyInBucket(Bucket bucket) {
        return mongo.exists(Query.query(Criteria.where("tenantId").is(bucket.tenantId()).and("bucketId").is(bucket.id())),
                StoredObject.class)
                .onErrorMap(MetadataErrors::translate);
    }

    @Override
    public Flux<StoredObject> removeAllInBucket(Bucket bucket) {
        Query all = Query.query(Criteria.where("tenantId").is(bucket.tenantId()).and("bucketId").is(bucket.id()));
        return mongo.find(all, StoredObject.class)
                .concatMap(record -> mongo.findAndRemove(Query.query(Criteria.where("_id").is(record.id())), StoredObject.class))
                .onErrorMap(MetadataErrors::translate);
    }

    @Override
    public Mono<Boolean> referencesBlob(String blob) {
        return mongo.exists(Query.query(Criteria.where("blob").is(blob)), StoredObject.class)
                .onErrorMap(MetadataErrors::translate);
    }

    @Override
    public Flux<String> referencedBlobs(Collection<String> blobs) {
        Query query = Query.query(Criteria.where("blob").in(blobs));
        query.fields().include("blob");
        return mongo.find(query, org.bson.Document.class, mongo.getCollectionName(StoredObject.class))
                .map(found -> found.getString("blob"))
                .onErrorMap(MetadataErrors::translate);
    }

    private static Query byKey(String tenantId, String bucketId, String key) {
        return Query.query(Criteria.where("tenantId").is(tenantId).and("bucketId").is(bucketId).and("key").is(key));
    }

    private static GranaryException preconditionFailed(String detail) {
        return new GranaryException(ErrorCode.PRECONDITION_FAILED, detail);
    }
}
