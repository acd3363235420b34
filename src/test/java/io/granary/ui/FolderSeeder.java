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
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * Fills a folder with many objects cheaply and honestly: one object is stored through the API
 * (the caller's PUT), then each clone gets its own blob file with the same bytes and its own
 * catalogue record, the record the write protocol would have committed, inserted in batches
 * through the application's own Mongo template. Only the per-object HTTP request (and its
 * usage counting) is skipped: 100,000 PUTs, even in-process through ObjectService, take several
 * times longer (about 100 a second on a busy 2-core machine). Works on the filesystem store,
 * which the browser tests use.
 */
final class FolderSeeder {

    private static final int BATCH = 1000;

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
        byte[] bytes = read(store.resolve(template.blob()));
        // Batches of 1000 records, a few in flight: the blob files of the next batches are
        // written while the catalogue takes the records of the earlier ones.
        Flux.range(0, (count + BATCH - 1) / BATCH)
                .flatMapSequential(batch -> Mono.fromCallable(() -> records(template, bytes, batch * BATCH,
                                Math.min(count, (batch + 1) * BATCH), keys))
                        .subscribeOn(Schedulers.boundedElastic())
                        .flatMapMany(mongo::insertAll), 4)
                .blockLast();
    }

    private List<StoredObject> records(StoredObject template, byte[] bytes, int from, int to, IntFunction<String> keys) {
        List<StoredObject> batch = new ArrayList<>(to - from);
        for (int i = from; i < to; i++) {
            String version = Ids.newId();
            BlobLocation location = BlobLocation.of(template.tenantId(), template.bucketId(), version);
            write(store.resolve(location.path()), bytes);
            batch.add(new StoredObject(null, template.tenantId(), template.bucketId(), keys.apply(i), template.size(),
                    template.etag(), template.sha256(), template.contentType(), template.detectedType(), null, Map.of(),
                    Map.of(), version, location.path(), Instant.now(), null, null));
        }
        return batch;
    }

    private static byte[] read(Path file) {
        try {
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void write(Path file, byte[] bytes) {
        try {
            Files.write(file, bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
