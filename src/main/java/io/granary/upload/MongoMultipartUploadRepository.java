package io.granary.upload;

import io.granary.common.IndexedCollection;
import io.granary.common.MetadataErrors;
import io.granary.object.BlobClaims;
import io.granary.object.KeyOrder;
import io.granary.storage.StoredPart;
import java.time.Instant;
import java.util.List;
import org.bson.types.ObjectId;
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

/**
 * Multipart uploads in the {@code multipart_uploads} collection; also tells the orphan sweeper
 * which blobs a completion in progress has joined but not yet published.
 */
@Repository
class MongoMultipartUploadRepository implements MultipartUploadRepository, IndexedCollection, BlobClaims {

    private final ReactiveMongoTemplate mongo;

    MongoMultipartUploadRepository(ReactiveMongoTemplate mongo) {
        this.mongo = mongo;
    }

    @Override
    public Mono<Void> ensureIndexes() {
        // The sweeper's queries, and the orphan sweeper's question about one blob.
        return mongo.indexOps(MultipartUpload.class)
                .createIndex(new Index().on("state", Sort.Direction.ASC).on("createdAt", Sort.Direction.ASC))
                .then(mongo.indexOps(MultipartUpload.class)
                        .createIndex(new Index().on("state", Sort.Direction.ASC).on("stateChangedAt", Sort.Direction.ASC)))
                .then(mongo.indexOps(MultipartUpload.class).createIndex(new Index("upload.staging", Sort.Direction.ASC)))
                // Listings of a bucket's open uploads walk this in their order and stop at the page's end.
                .then(mongo.indexOps(MultipartUpload.class).createIndex(new Index().on("tenantId", Sort.Direction.ASC)
                        .on("bucketId", Sort.Direction.ASC).on("state", Sort.Direction.ASC)
                        .on("upload.key", Sort.Direction.ASC).on("createdAt", Sort.Direction.ASC)
                        .on("_id", Sort.Direction.ASC)))
                .then();
    }

    @Override
    public Mono<MultipartUpload> insert(MultipartUpload upload) {
        return mongo.insert(upload).onErrorMap(MetadataErrors::translate);
    }

    @Override
    public Mono<MultipartUpload> find(String id) {
        return mongo.findById(id, MultipartUpload.class).onErrorMap(MetadataErrors::translate);
    }

    @Override
    public Mono<MultipartUpload> recordPart(String id, StoredPart part) {
        Query query = Query.query(Criteria.where("_id").is(id).and("state").is(MultipartUpload.State.OPEN));
        // One field per part number: concurrent writers of different parts never touch each other's.
        Update update = new Update().set("parts." + part.number(), part);
        return mongo.findAndModify(query, update, FindAndModifyOptions.options().returnNew(false), MultipartUpload.class)
                .onErrorMap(MetadataErrors::translate);
    }

    @Override
    public Mono<MultipartUpload> transition(String id, MultipartUpload.State from, MultipartUpload.State to, Instant at,
                                            List<PartRef> completedWith, String etag, String rejection,
                                            boolean dropParts) {
        Query query = Query.query(Criteria.where("_id").is(id).and("state").is(from));
        Update update = new Update().set("state", to).set("stateChangedAt", at).set("completedWith", completedWith)
                .set("etag", etag).set("rejection", rejection);
        if (dropParts) {
            update.unset("parts");
        }
        return mongo.findAndModify(query, update, FindAndModifyOptions.options().returnNew(true), MultipartUpload.class)
                .onErrorMap(MetadataErrors::translate);
    }

    @Override
    public Flux<MultipartUpload> openPage(String tenantId, String bucketId, String prefix, After from, int limit) {
        String lower = prefix;
        boolean lowerInclusive = true;
        After within = from != null && from.key().compareTo(prefix) >= 0 ? from : null;
        if (within != null) {
            lower = within.key();
            // After one upload of a key, later uploads of that same key still follow: the $or below picks them.
            lowerInclusive = within.inclusive() || within.createdAt() != null;
        }
        Criteria criteria = Criteria.where("tenantId").is(tenantId).and("bucketId").is(bucketId)
                .and("state").is(MultipartUpload.State.OPEN);
        // The key range is a plain condition on the indexed field, so an index walk serves it (also embedded).
        Criteria keyRange = criteria.and("upload.key");
        keyRange = lowerInclusive ? keyRange.gte(lower) : keyRange.gt(lower);
        String upper = KeyOrder.successor(prefix);
        if (upper != null) {
            keyRange = keyRange.lt(upper);
        }
        if (within != null && within.createdAt() != null) {
            criteria.orOperator(Criteria.where("upload.key").gt(within.key()),
                    Criteria.where("upload.key").is(within.key()).and("createdAt").gt(within.createdAt()),
                    Criteria.where("upload.key").is(within.key()).and("createdAt").is(within.createdAt())
                            .and("_id").gt(new ObjectId(within.id())));
        }
        Query query = Query.query(criteria)
                .with(Sort.by("upload.key", "createdAt", "_id"))
                .limit(limit);
        return mongo.find(query, MultipartUpload.class).onErrorMap(MetadataErrors::translate);
    }

    @Override
    public Flux<MultipartUpload> inStateSince(MultipartUpload.State state, Instant cutoff) {
        return mongo.find(Query.query(Criteria.where("state").is(state).and("stateChangedAt").lt(cutoff)),
                MultipartUpload.class).onErrorMap(MetadataErrors::translate);
    }

    @Override
    public Flux<MultipartUpload> openSince(Instant cutoff) {
        return mongo.find(Query.query(Criteria.where("state").is(MultipartUpload.State.OPEN).and("createdAt").lt(cutoff)),
                MultipartUpload.class).onErrorMap(MetadataErrors::translate);
    }

    @Override
    public Mono<Void> remove(String id) {
        return mongo.remove(Query.query(Criteria.where("_id").is(id)), MultipartUpload.class).then()
                .onErrorMap(MetadataErrors::translate);
    }

    @Override
    public Mono<Boolean> claims(String blobPath) {
        return mongo.exists(Query.query(Criteria.where("upload.staging").is(blobPath)
                        .and("state").is(MultipartUpload.State.COMPLETING)), MultipartUpload.class)
                .onErrorMap(MetadataErrors::translate);
    }
}
