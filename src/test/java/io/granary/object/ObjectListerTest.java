package io.granary.object;

import static org.assertj.core.api.Assertions.assertThat;

import io.granary.api.ApiTestSupport;
import io.granary.bucket.Bucket;
import io.granary.bucket.BucketRepository;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Delimiter listings read only what they return: the documents read from MongoDB are counted
 * while a folder of 300 children is listed as one common prefix. And every page, followed
 * cursor by cursor, adds up to what a brute-force listing of the keys gives.
 */
class ObjectListerTest extends ApiTestSupport {

    @Autowired
    ObjectRepository repository;

    @Autowired
    BucketRepository buckets;

    /** The real repository, counting the documents its page queries return. */
    private record Counting(ObjectRepository real, AtomicInteger read) implements ObjectRepository {
        public Mono<StoredObject> find(Bucket bucket, String key) {
            return real.find(bucket, key);
        }

        public Mono<StoredObject> commit(StoredObject record, WriteCondition condition) {
            return real.commit(record, condition);
        }

        public Mono<StoredObject> updateMetadata(Bucket bucket, String key, String versionId, String contentType,
                                                 String detectedType, String cacheControl, Map<String, String> metadata,
                                                 Map<String, String> tags, Instant lastModified) {
            return real.updateMetadata(bucket, key, versionId, contentType, detectedType, cacheControl, metadata, tags,
                    lastModified);
        }

        public Mono<StoredObject> updateTags(Bucket bucket, String key, String versionId, Map<String, String> tags) {
            return real.updateTags(bucket, key, versionId, tags);
        }

        public Mono<StoredObject> remove(Bucket bucket, String key, String versionId) {
            return real.remove(bucket, key, versionId);
        }

        public Flux<StoredObject> page(Bucket bucket, String prefix, String bound, boolean inclusive, int limit) {
            return real.page(bucket, prefix, bound, inclusive, limit).doOnNext(o -> read.incrementAndGet());
        }

        public Mono<Boolean> anyInBucket(Bucket bucket) {
            return real.anyInBucket(bucket);
        }

        public Flux<StoredObject> removeAllInBucket(Bucket bucket) {
            return real.removeAllInBucket(bucket);
        }

        public Mono<Boolean> referencesBlob(String blob) {
            return real.referencesBlob(blob);
        }

        public Flux<String> referencedBlobs(java.util.Collection<String> blobs) {
            return real.referencedBlobs(blobs);
        }
    }

    @Test
    void aBigFolderCostsOneDocumentNotOneHundred() {
        String tenantId = createTenant(unique("lister"));
        String key = createKey(tenantId, List.of("admin"), null);
        String name = unique("big");
        createBucket(key, name, Map.of());
        for (String k : List.of("a", "z")) {
            http.put().uri("/v1/buckets/{b}/objects/{k}", name, k).header("X-Api-Key", key).bodyValue("x")
                    .exchange().expectStatus().isOk().expectBody();
        }
        for (int i = 0; i < 300; i++) {
            http.put().uri("/v1/buckets/{b}/objects/big/{i}", name, i).header("X-Api-Key", key).bodyValue("x")
                    .exchange().expectStatus().isOk().expectBody();
        }
        Bucket bucket = buckets.find(tenantId, name).block();
        AtomicInteger read = new AtomicInteger();
        ObjectLister lister = new ObjectLister(new Counting(repository, read));

        ObjectPage page = lister.list(bucket, "", "/", 1000, null).block();

        assertThat(page.prefixes()).containsExactly("big/");
        assertThat(page.objects()).extracting(StoredObject::key).containsExactly("a", "z");
        assertThat(page.nextCursor()).isNull();
        assertThat(read.get()).isLessThanOrEqualTo(4); // a, big/0, z: the other 299 children are skipped

        read.set(0);
        ObjectPage children = lister.list(bucket, "big/", "/", 1000, null).block();
        assertThat(children.objects()).hasSize(300);
        assertThat(read.get()).isEqualTo(300);
    }

    @Test
    void everyPageAndCursorAgreesWithABruteForceListing() {
        String tenantId = createTenant(unique("oracle"));
        String key = createKey(tenantId, List.of("admin"), null);
        String name = unique("oracle");
        createBucket(key, name, Map.of());
        java.util.Random random = new java.util.Random(7);
        String[] parts = {"a", "b/", "b", "dir/", "x/y/", "é", "z", "-"}; // no "//": a URI path would fold it
        java.util.TreeSet<String> keys = new java.util.TreeSet<>();
        while (keys.size() < 150) {
            StringBuilder k = new StringBuilder();
            for (int i = 1 + random.nextInt(4); i > 0; i--) {
                k.append(parts[random.nextInt(parts.length)]);
            }
            keys.add(k + "" + random.nextInt(9));
        }
        for (String k : keys) {
            http.put().uri(u -> u.path("/v1/buckets/{b}/objects/").path(k).build(name)).header("X-Api-Key", key)
                    .bodyValue("x").exchange().expectStatus().isOk().expectBody();
        }
        Bucket bucket = buckets.find(tenantId, name).block();
        ObjectLister lister = new ObjectLister(repository);
        for (String prefix : List.of("", "b", "b/", "dir/", "x/", "zz")) {
            for (String delimiter : java.util.Arrays.asList(null, "/", "b")) {
                List<String> expected = bruteForce(keys, prefix, delimiter);
                int limit = 1 + random.nextInt(12);
                List<String> listed = new java.util.ArrayList<>();
                String cursor = null;
                do {
                    ObjectPage page = lister.list(bucket, prefix, delimiter, limit, cursor).block();
                    assertThat(page.objects().size() + page.prefixes().size()).isLessThanOrEqualTo(limit);
                    page.objects().forEach(o -> listed.add(o.key()));
                    listed.addAll(page.prefixes());
                    cursor = page.nextCursor();
                } while (cursor != null);
                listed.sort(null); // a page gives its objects, then its prefixes
                assertThat(listed).as("prefix '%s', delimiter '%s', limit %d", prefix, delimiter, limit)
                        .isEqualTo(expected);
            }
        }
    }

    /** Every key under the prefix, those with the delimiter after it rolled up into their common prefix. */
    private static List<String> bruteForce(java.util.SortedSet<String> keys, String prefix, String delimiter) {
        java.util.TreeSet<String> entries = new java.util.TreeSet<>();
        for (String k : keys) {
            if (!k.startsWith(prefix)) {
                continue;
            }
            int at = delimiter == null ? -1 : k.indexOf(delimiter, prefix.length());
            entries.add(at < 0 ? k : k.substring(0, at + delimiter.length()));
        }
        return List.copyOf(entries);
    }
}
