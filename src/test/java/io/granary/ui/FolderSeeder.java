package io.granary.ui;

import io.granary.common.Ids;
import io.granary.object.StoredObject;
import io.granary.storage.BlobLocation;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.IntFunction;
import org.springframework.data.mongodb.core.ReactiveMongoTemplate;
import org.springframework.data.mongodb.core.query.Criteria;
import org.springframework.data.mongodb.core.query.Query;

/**
 * Fills a folder with many objects cheaply and honestly: one object is stored through the API
 * (the caller's PUT), then each clone gets its own blob file with the same bytes and its own
 * catalogue record, the record the write protocol would have committed, inserted in batches
 * through the application's own Mongo template. Only the per-object HTTP request (and its
 * usage counting) is skipped: through the API, 100,000 PUTs take a quarter of an hour on this
 * machine, this takes seconds. Works on the filesystem store, which the browser tests use.
 */
final class FolderSeeder {

    private final ReactiveMongoTemplate mongo;
    private final Path store;

    FolderSeeder(ReactiveMongoTemplate mongo, Path dataDir) {
        this.mongo = mongo;
        this.store = dataDir.resolve("store").resolve("blobs"); // FileSystemBlobStore's layout
    }

    /** Clones the tenant's object {@code templateKey} as {@code count} objects named by {@code keys}. */
    void clone(String tenantId, String templateKey, int count, IntFunction<String> keys) {
        StoredObject template = mongo.findOne(Query.query(Criteria.where("tenantId").is(tenantId).and("key").is(templateKey)),
                StoredObject.class).block();
        if (template == null) {
            throw new IllegalStateException("No object " + templateKey + " to clone");
        }
        try {
            byte[] bytes = Files.readAllBytes(store.resolve(template.blob()));
            List<StoredObject> batch = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                String version = Ids.newId();
                BlobLocation location = BlobLocation.of(template.tenantId(), template.bucketId(), version);
                Files.write(store.resolve(location.path()), bytes);
                batch.add(new StoredObject(null, template.tenantId(), template.bucketId(), keys.apply(i), template.size(),
                        template.etag(), template.sha256(), template.contentType(), template.detectedType(), null, Map.of(),
                        Map.of(), version, location.path(), Instant.now(), null, null));
                if (batch.size() == 1000 || i == count - 1) {
                    mongo.insertAll(batch).blockLast();
                    batch = new ArrayList<>();
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
