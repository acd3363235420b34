package io.granary.embedded;

import static org.assertj.core.api.Assertions.assertThat;

import com.mongodb.MongoException;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.FindOneAndUpdateOptions;
import com.mongodb.client.model.IndexOptions;
import com.mongodb.client.model.Indexes;
import com.mongodb.client.model.Projections;
import com.mongodb.client.model.Sorts;
import com.mongodb.client.model.Updates;
import com.mongodb.reactivestreams.client.MongoClient;
import com.mongodb.reactivestreams.client.MongoClients;
import com.mongodb.reactivestreams.client.MongoCollection;
import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.backend.h2.H2Backend;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Random;
import java.util.function.Function;
import org.bson.Document;
import org.bson.conversions.Bson;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The ordered indexes answer exactly what a server without them answers: the same documents
 * in the same order for every query shape Granary makes (key ranges under a prefix with a sort
 * and a limit, lookups by blob, sweeps by state and time), after the same random inserts,
 * updates, duplicate refusals and deletes. The oracle is the same embedded server without
 * ordered indexes, which scans and sorts the whole collection for every query;
 * {@link OrderedIndexOnMongoTest} runs the same against MongoDB where Docker exists.
 */
class OrderedIndexTest {

    private static final String[] SEGMENTS = {"a", "b", "dir", "photos", "é", "z", "\uD83D\uDE00", "a b", "A"};
    private static final String[] STATES = {"open", "completing", "aborted"};

    @TempDir
    Path dir;

    private MongoServer indexed;
    private MongoClient subjectClient;
    private MongoClient oracleClient;
    private final List<AutoCloseable> closing = new ArrayList<>();

    @BeforeEach
    void start() {
        indexed = new MongoServer(new IndexedH2Backend(dir.resolve("metadata.mv").toString()));
        subjectClient = serve(indexed);
        oracleClient = oracle();
    }

    @AfterEach
    void stop() throws Exception {
        subjectClient.close();
        oracleClient.close();
        indexed.shutdownNow();
        for (AutoCloseable c : closing) {
            c.close();
        }
    }

    /** The server whose answers count as right. */
    protected MongoClient oracle() {
        MongoServer plain = new MongoServer(H2Backend.inMemory());
        closing.add(plain::shutdownNow);
        return serve(plain);
    }

    static MongoClient serve(MongoServer server) {
        server.bind(new InetSocketAddress("127.0.0.1", 0));
        return client(server.getLocalAddress());
    }

    static MongoClient client(InetSocketAddress address) {
        return MongoClients.create("mongodb://" + address.getHostString() + ":" + address.getPort());
    }

    @Test
    void everyQueryShapeAnswersAsTheOracleAfterRandomWrites() {
        MongoCollection<Document> subject = collection(subjectClient);
        MongoCollection<Document> oracle = collection(oracleClient);
        Random random = new Random(20261207);
        List<Document> written = new ArrayList<>();
        for (int i = 0; i < 1500; i++) {
            Document object = new Document("_id", "o" + i).append("tenantId", "t" + random.nextInt(2))
                    .append("bucketId", "b" + random.nextInt(3)).append("key", randomKey(random))
                    .append("blob", "blob-" + random.nextInt(1200))
                    .append("state", random.nextInt(50) == 0 // now and then an array: a multikey index
                            ? List.of(STATES[random.nextInt(3)], STATES[random.nextInt(3)]) : STATES[random.nextInt(3)])
                    .append("createdAt", Instant.ofEpochMilli(1_700_000_000_000L + i * 1000L));
            sameOutcome(subject, oracle, c -> Mono.from(c.insertOne(object)).map(Object::toString));
            written.add(object);
            if (i % 50 == 49) { // an _id taken before, under a key nobody has: refused alike
                Document again = new Document(object).append("_id", "o" + random.nextInt(i)).append("key", "again/" + i);
                sameOutcome(subject, oracle, c -> Mono.from(c.insertOne(again)).map(Object::toString));
            }
        }
        for (int i = 0; i < 300; i++) {
            Document target = written.get(random.nextInt(written.size()));
            Bson change = switch (random.nextInt(3)) {
                case 0 -> Updates.set("key", randomKey(random)); // may collide: refused alike
                case 1 -> Updates.set("state", STATES[random.nextInt(3)]);
                default -> Updates.set("blob", "blob-" + random.nextInt(1200));
            };
            sameOutcome(subject, oracle, c -> Mono.from(c.updateOne(Filters.eq("_id", target.get("_id")), change))
                    .map(r -> r.getMatchedCount() + "/" + r.getModifiedCount()));
            // An upsert by _id (as a commit writes a record): inserts under a new _id, updates an existing one.
            String upserted = "o" + random.nextInt(1600);
            Bson upsert = Updates.combine(Updates.set("blob", "blob-" + random.nextInt(1200)),
                    Updates.setOnInsert("key", "upserted/" + upserted), Updates.setOnInsert("tenantId", "t1"),
                    Updates.setOnInsert("bucketId", "b2"));
            sameOutcome(subject, oracle, c -> Mono.from(c.findOneAndUpdate(Filters.eq("_id", upserted), upsert,
                    new FindOneAndUpdateOptions().upsert(true))).map(Document::toJson).defaultIfEmpty("inserted"));
        }
        for (int i = 0; i < 300; i++) {
            Object id = written.get(random.nextInt(written.size())).get("_id");
            sameOutcome(subject, oracle, c -> Mono.from(c.deleteOne(Filters.eq("_id", id))).map(r -> "" + r.getDeletedCount()));
        }

        for (int i = 0; i < 200; i++) {
            String tenant = "t" + random.nextInt(2);
            String bucket = "b" + random.nextInt(3);
            String key = randomKey(random);
            String prefix = key.substring(0, key.offsetByCodePoints(0, Math.min(random.nextInt(4), key.codePointCount(0, key.length()))));
            String upper = successor(prefix);
            String from = random.nextBoolean() ? prefix : randomKey(random);
            Bson lower = random.nextBoolean() ? Filters.gt("key", from) : Filters.gte("key", from);
            Bson range = upper == null ? lower : Filters.and(lower, Filters.lt("key", upper));
            Bson filter = Filters.and(Filters.eq("tenantId", tenant), Filters.eq("bucketId", bucket), range);
            int limit = 1 + random.nextInt(60);
            assertSame(subject, oracle, c -> c.find(filter).sort(Sorts.ascending("key")).limit(limit),
                    "page " + filter + " limit " + limit);
        }
        for (int i = 0; i < 200; i++) {
            // A page of open multipart uploads: a key range in a state, resumed just after one upload of a key.
            String key = randomKey(random);
            String prefix = key.substring(0, key.offsetByCodePoints(0, Math.min(random.nextInt(3), key.codePointCount(0, key.length()))));
            String upper = successor(prefix);
            String marker = random.nextBoolean() ? key : randomKey(random);
            Instant at = Instant.ofEpochMilli(1_700_000_000_000L + random.nextInt(1500) * 1000L);
            Bson lower = Filters.gte("key", marker.compareTo(prefix) >= 0 ? marker : prefix);
            Bson after = Filters.or(Filters.gt("key", marker), Filters.and(Filters.eq("key", marker), Filters.gt("createdAt", at)),
                    Filters.and(Filters.eq("key", marker), Filters.eq("createdAt", at), Filters.gt("_id", "o" + random.nextInt(1500))));
            Bson filter = Filters.and(Filters.eq("tenantId", "t" + random.nextInt(2)), Filters.eq("bucketId", "b" + random.nextInt(3)),
                    Filters.eq("state", STATES[random.nextInt(3)]), upper == null ? lower : Filters.and(lower, Filters.lt("key", upper)),
                    after);
            int limit = 1 + random.nextInt(20);
            assertSame(subject, oracle, c -> c.find(filter).sort(Sorts.ascending("key", "createdAt", "_id")).limit(limit),
                    "uploads " + filter + " limit " + limit);
        }
        for (int i = 0; i < 120; i++) {
            Bson byBlob = Filters.eq("blob", "blob-" + random.nextInt(1200));
            assertSame(subject, oracle, c -> c.find(byBlob).sort(Sorts.ascending("_id")), "blob " + byBlob);
            List<String> batch = random.ints(20, 0, 1200).mapToObj(n -> "blob-" + n).toList();
            assertSame(subject, oracle, c -> c.find(Filters.in("blob", batch)).sort(Sorts.ascending("_id")), "blobs " + batch);
            assertSameDocuments(subject, oracle, c -> c.find(Filters.in("blob", batch))
                    .projection(Projections.include("blob")).sort(Sorts.ascending("_id")), "covered " + batch);
            Bson byKey = Filters.and(Filters.eq("tenantId", "t" + random.nextInt(2)), Filters.eq("bucketId", "b1"),
                    Filters.eq("key", randomKey(random)));
            assertSameDocuments(subject, oracle, c -> c.find(byKey).projection(Projections.include("_id")).limit(1),
                    "exists " + byKey);
            Bson sweep = Filters.and(Filters.eq("state", STATES[random.nextInt(3)]),
                    Filters.lt("createdAt", Instant.ofEpochMilli(1_700_000_000_000L + random.nextInt(3_000_000))));
            assertSame(subject, oracle, c -> c.find(sweep).sort(Sorts.ascending("createdAt")).limit(100), "sweep " + sweep);
            Object id = "o" + random.nextInt(1600);
            assertSameDocuments(subject, oracle, c -> c.find(Filters.eq("_id", id)), "by id " + id);
            List<String> ids = random.ints(10, 0, 1600).mapToObj(n -> "o" + n).toList();
            assertSame(subject, oracle, c -> c.find(Filters.in("_id", ids)).sort(Sorts.ascending("_id")), "ids " + ids);
            Bson byIdAndState = Filters.and(Filters.eq("_id", "o" + random.nextInt(1500)), Filters.eq("state", STATES[random.nextInt(3)]));
            assertSame(subject, oracle, c -> c.find(byIdAndState), "by id and more " + byIdAndState);
            Bson anyInBucket = Filters.and(Filters.eq("tenantId", "t" + random.nextInt(2)),
                    Filters.eq("bucketId", "b" + random.nextInt(3)));
            assertSame(subject, oracle, c -> c.find(anyInBucket).sort(Sorts.ascending("key")), "bucket " + anyInBucket);
        }
    }

    @Test
    void theIndexSurvivesARestartAndAnInterruptedBuildIsRedone() {
        MongoCollection<Document> subject = collection(subjectClient);
        for (int i = 0; i < 500; i++) {
            Mono.from(subject.insertOne(new Document("_id", "o" + i).append("tenantId", "t").append("bucketId", "b")
                    .append("key", String.format("k%04d", i)).append("blob", "blob-" + i).append("state", "open")
                    .append("createdAt", Instant.ofEpochSecond(i)))).block();
        }
        subjectClient.close();
        indexed.shutdownNow();
        // Simulate a crash in the middle of building the key index: entries half there, no mark.
        try (var store = org.h2.mvstore.MVStore.open(dir.resolve("metadata.mv").toString())) {
            String name = store.getMapNames().stream().filter(n -> n.startsWith("granary.objects._ordered_tenantId"))
                    .findFirst().orElseThrow();
            var entries = store.openMap(name, new org.h2.mvstore.MVMap.Builder<Object[], Boolean>()
                    .keyType(new IndexKeyType(List.of(false, false, false))));
            entries.remove(new Object[0]);
            entries.keySet().stream().skip(200).toList().forEach(entries::remove);
        }

        indexed = new MongoServer(new IndexedH2Backend(dir.resolve("metadata.mv").toString()));
        subjectClient = serve(indexed);
        subject = collection(subjectClient);
        List<Object> page = Flux.from(subject.find(Filters.and(Filters.eq("tenantId", "t"), Filters.eq("bucketId", "b"),
                Filters.gte("key", "k0300"))).sort(Sorts.ascending("key")).limit(3)).map(d -> d.get("key")).collectList().block();
        assertThat(page).containsExactly("k0300", "k0301", "k0302");
        Object duplicate = Mono.from(subject.insertOne(new Document("tenantId", "t").append("bucketId", "b").append("key", "k0450")))
                .map(Object::toString).onErrorResume(MongoException.class, e -> Mono.just("code " + e.getCode())).block();
        assertThat(duplicate).isEqualTo("code 11000");
        assertThat(Mono.from(subject.countDocuments(Filters.eq("blob", "blob-499"))).block()).isEqualTo(1);
    }

    @Test
    void aCatalogueOfAnEarlierReleaseOpensWithItsDocumentsAndIndexes() {
        subjectClient.close();
        indexed.shutdownNow();
        Path earlier = dir.resolve("earlier.mv");
        MongoServer plain = new MongoServer(new H2Backend(earlier.toString()));
        try (MongoClient client = serve(plain)) {
            MongoCollection<Document> objects = collection(client);
            for (int i = 0; i < 50; i++) {
                Mono.from(objects.insertOne(new Document("_id", "o" + i).append("tenantId", "t").append("bucketId", "b")
                        .append("key", String.format("k%02d", i)).append("blob", "blob-" + i).append("state", "open")
                        .append("size", 10L * i).append("tags", List.of("x", i)).append("createdAt", Instant.ofEpochSecond(i)))).block();
            }
        } finally {
            plain.shutdownNow();
        }

        IndexedH2Backend backend = new IndexedH2Backend(earlier.toString());
        indexed = new MongoServer(backend);
        subjectClient = serve(indexed);
        MongoCollection<Document> objects = collection(subjectClient);
        Mono.from(objects.updateOne(Filters.eq("_id", "o7"), Updates.set("key", "moved"))).block(); // written anew as BSON
        Document o3 = Mono.from(objects.find(Filters.eq("_id", "o3")).first()).block();
        assertThat(o3).containsEntry("size", 30L).containsEntry("tags", List.of("x", 3))
                .containsEntry("createdAt", java.util.Date.from(Instant.ofEpochSecond(3)));
        List<Object> keys = Flux.from(objects.find(Filters.and(Filters.eq("tenantId", "t"), Filters.eq("bucketId", "b"),
                Filters.gte("key", "k05"))).sort(Sorts.ascending("key")).limit(3)).map(d -> d.get("key")).collectList().block();
        assertThat(keys).containsExactly("k05", "k06", "k08");
        assertThat(Mono.from(objects.countDocuments(Filters.eq("key", "moved"))).block()).isEqualTo(1);
        Object duplicate = Mono.from(objects.insertOne(new Document("_id", "o9").append("key", "other")))
                .map(Object::toString).onErrorResume(MongoException.class, e -> Mono.just("code " + e.getCode())).block();
        assertThat(duplicate).isEqualTo("code 11000");
        assertThat(backend.getMvStore().getMapNames()).noneMatch(name -> name.contains("._index_")); // the unordered ones are gone
    }

    private MongoCollection<Document> collection(MongoClient client) {
        MongoCollection<Document> objects = client.getDatabase("granary").getCollection("objects");
        Mono.from(objects.createIndex(Indexes.ascending("tenantId", "bucketId", "key"), new IndexOptions().unique(true))).block();
        Mono.from(objects.createIndex(Indexes.ascending("blob"))).block();
        Mono.from(objects.createIndex(Indexes.ascending("state", "createdAt"))).block();
        Mono.from(objects.createIndex(Indexes.ascending("tenantId", "bucketId", "state", "key", "createdAt", "_id"))).block();
        return objects;
    }

    private static String randomKey(Random random) {
        StringBuilder key = new StringBuilder();
        int depth = 1 + random.nextInt(3);
        for (int i = 0; i < depth; i++) {
            key.append(SEGMENTS[random.nextInt(SEGMENTS.length)]).append(i + 1 < depth ? "/" : "");
        }
        return key.append(random.nextInt(40)).toString();
    }

    /** The least string above every string starting with {@code prefix} (as the listing bounds its range). */
    private static String successor(String prefix) {
        if (prefix.isEmpty()) {
            return null;
        }
        int last = prefix.codePointBefore(prefix.length());
        return prefix.substring(0, prefix.length() - Character.charCount(last)) + Character.toString(last + 1);
    }

    private static void sameOutcome(MongoCollection<Document> subject, MongoCollection<Document> oracle,
                                    Function<MongoCollection<Document>, Mono<String>> write) {
        Function<MongoCollection<Document>, String> outcome = c -> write.apply(c)
                .onErrorResume(MongoException.class, e -> Mono.just("error " + e.getCode())).block();
        assertThat(outcome.apply(subject)).isEqualTo(outcome.apply(oracle));
    }

    private static void assertSameDocuments(MongoCollection<Document> subject, MongoCollection<Document> oracle,
                                            Function<MongoCollection<Document>, org.reactivestreams.Publisher<Document>> query,
                                            String what) {
        Function<MongoCollection<Document>, List<Document>> documents = c -> Flux.from(query.apply(c)).collectList().block();
        assertThat(documents.apply(subject)).as(what).isEqualTo(documents.apply(oracle));
    }

    private static void assertSame(MongoCollection<Document> subject, MongoCollection<Document> oracle,
                                   Function<MongoCollection<Document>, org.reactivestreams.Publisher<Document>> query,
                                   String what) {
        Function<MongoCollection<Document>, List<Object>> ids = c -> Flux.from(query.apply(c))
                .map(d -> Objects.requireNonNull(d.get("_id"))).collectList().block();
        assertThat(ids.apply(subject)).as(what).isEqualTo(ids.apply(oracle));
    }
}
