package io.granary.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.granary.testsupport.S3ProxyServer;
import io.granary.testsupport.TestRedis;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.netty.handler.codec.http.HttpMethod;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;
import reactor.netty.ByteBufFlux;
import reactor.netty.http.client.HttpClient;

/**
 * Three Granary nodes sharing one MongoDB-wire server, one Redis and one S3 server, each with
 * its own two-tier cache. Every node first caches what the test reads; then a change made
 * through node a (overwrite, metadata, delete, re-creation, bucket visibility, key revocation)
 * must show on nodes b and c within 100 ms of a's answer: b and c, polled every few milliseconds
 * from a thread each, give no request sent later than that the old state; and once the change
 * shows, the old state must never come back (see
 * {@link #awaitPropagation(String, long, String, Function, ChangeCheck)}).
 *
 * <p>Memory-tier TTLs are the defaults (minutes), so only the invalidation channel can make a
 * change show that fast: were it broken, b and c would keep answering from their caches.
 *
 * <p>Then Redis is killed, and later frozen, while all three nodes serve a loop of writes and
 * reads: no request may fail. While it is gone, a change on a must show on b and c within the
 * local TTL (no invalidation can reach them); after it hung, the invalidation a could not send
 * must arrive once it answers; and once it is back, changes spread within 100 ms again.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class CacheCoherenceTest {

    private static final Logger log = LoggerFactory.getLogger(CacheCoherenceTest.class);

    /** The issue's requirement: a change on one node is visible on the others within 100 ms. */
    private static final Duration PROPAGATION = Duration.ofMillis(100);
    /** How long a node must keep showing a change once it has shown it. */
    private static final Duration STABLE = Duration.ofMillis(150);
    private static final Duration GIVE_UP = Duration.ofSeconds(10);
    /** Memory TTL of metadata while the invalidation channel is down (the default is 5 s). */
    private static final Duration LOCAL_TTL = Duration.ofSeconds(2);
    private static final String BUCKET = "docs";
    private static final String SITE = "site";
    private static final String DOC = "reports/q1.txt";

    private static TestRedis redis;
    private static GranaryNode a;
    private static GranaryNode b;
    private static GranaryNode c;
    private static List<GranaryNode> readers;
    private static HttpClient client;
    private static ExecutorService pollers;
    private static String tenantId;
    private static String tenantName;
    private static String admin;
    private static ch.qos.logback.classic.Logger accessLog;
    private static ch.qos.logback.classic.Level accessLogLevel;
    /** Every measured propagation, for the log. */
    private static final List<String> measured = Collections.synchronizedList(new ArrayList<>());
    private static final Random random = new Random(42);

    @BeforeAll
    static void startThreeNodes() {
        redis = TestRedis.start();
        S3ProxyServer s3 = S3ProxyServer.shared();
        List<String> common = List.of(
                "--granary.redis.url=" + redis.url(),
                "--granary.redis.retry-interval=1s",
                "--granary.cache.local-ttl=" + LOCAL_TTL.toSeconds() + "s",
                // The test polls far faster than the default per-key rate allows.
                "--granary.rate-limit.enabled=false",
                "--granary.store.type=s3",
                "--granary.store.s3.endpoint=" + s3.endpoint(),
                "--granary.store.s3.region=" + s3.region(),
                "--granary.store.s3.bucket=granary-coherence-test",
                "--granary.store.s3.access-key=" + s3.accessKey(),
                "--granary.store.s3.secret-key=" + s3.secretKey());
        a = GranaryNode.start(common);
        List<String> shared = new ArrayList<>(common);
        shared.add(a.sharedMetadataArgument());
        b = GranaryNode.start(shared);
        c = GranaryNode.start(shared);
        readers = List.of(b, c);
        // Each node subscribes to the invalidation channel in the background after it starts.
        awaitTrue("all three nodes subscribed", () -> subscribers() == 3L);
        // Thousands of requests follow; their access-log lines, written to a console that a
        // busy build drains slowly, would stall the nodes' event loops and blur the timings.
        accessLog = (ch.qos.logback.classic.Logger) LoggerFactory.getLogger("io.granary.access");
        accessLogLevel = accessLog.getLevel();
        accessLog.setLevel(ch.qos.logback.classic.Level.WARN);
        // Pooled keep-alive connections, as real clients use them (answers from memory complete
        // synchronously, which is what made Reactor Netty 1.3.7 stall such connections).
        client = HttpClient.create().responseTimeout(Duration.ofSeconds(10));
        // Three for the load on all nodes, two for polling b and c meanwhile.
        pollers = Executors.newFixedThreadPool(5);

        tenantName = ApiTestSupport.unique("coherent");
        tenantId = a.createTenant(tenantName);
        admin = createKey(List.of("admin"));
        assertThat(send(a, "POST", "/v1/buckets", admin, json(Map.of("name", BUCKET)), "application/json").status).isEqualTo(201);
        assertThat(send(a, "POST", "/v1/buckets", admin, json(Map.of("name", SITE, "visibility", "public")), "application/json")
                .status).isEqualTo(201);
    }

    @AfterAll
    static void stopAll() {
        log.info("Propagation times (from a's answer): {}", measured);
        if (accessLog != null) {
            accessLog.setLevel(accessLogLevel);
        }
        if (pollers != null) {
            pollers.shutdownNow();
        }
        for (AutoCloseable closeable : new AutoCloseable[] {c, b, a, redis}) {
            try {
                if (closeable != null) {
                    closeable.close();
                }
            } catch (Exception e) {
                log.warn("Could not close {}: {}", closeable, e.toString());
            }
        }
    }

    @Test
    @Order(1)
    void everyNodeServesReadsFromItsCaches() {
        byte[] bytes = randomBytes(2_000);
        assertThat(put(a, DOC, bytes).status).isEqualTo(200);
        assertThat(get(a, DOC).body).isEqualTo(bytes);
        // Object bytes are cached by blob version, never invalidated: a's read filled Redis...
        awaitTrue("a's read of the bytes reaches Redis", () -> !redis(r -> r.keys("granary:c:blob:*")).isEmpty());
        for (GranaryNode node : List.of(a, b, c)) {
            for (int i = 0; i < 3; i++) {
                Answer got = get(node, DOC);
                assertThat(got.status).isEqualTo(200);
                assertThat(got.body).isEqualTo(bytes);
                assertThat(head(node, DOC).status).isEqualTo(200);
            }
        }
        // Micrometer's Caffeine binder (memory tier, cache "granary.<name>") and the Redis tier's
        // own counters, as Prometheus exposes them.
        for (GranaryNode node : List.of(a, b, c)) {
            Map<String, Double> metrics = prometheus(node);
            assertThat(metrics.getOrDefault("cache_gets_total{cache=\"granary.object\",result=\"hit\"}", 0.0))
                    .as("object metadata answered from memory").isGreaterThanOrEqualTo(4.0);
            assertThat(metrics.getOrDefault("cache_gets_total{cache=\"granary.blob\",result=\"hit\"}", 0.0))
                    .as("object bytes answered from memory").isGreaterThanOrEqualTo(2.0);
            assertThat(metrics.getOrDefault("cache_gets_total{cache=\"granary.apikey\",result=\"hit\"}", 0.0))
                    .as("API keys answered from memory").isPositive();
        }
        // ...so b and c took the bytes from Redis, not from the store.
        for (GranaryNode node : readers) {
            assertThat(metric(node, "granary_cache_redis_total{cache=\"blob\",result=\"hit\"}")).as("bytes read from Redis")
                    .isEqualTo(1.0);
            assertThat(metric(node, "granary_cache_redis_total{cache=\"blob\",result=\"miss\"}")).isZero();
        }
    }

    @Test
    @Order(2)
    void anOverwriteShowsEverywhereAndTheOldBytesNeverComeBack() {
        byte[] old = warm(DOC);
        byte[] bytes = randomBytes(3_000);
        Answer written = put(a, DOC, bytes);
        long answered = System.nanoTime();
        assertThat(written.status).isEqualTo(200);
        String etag = written.header("ETag");

        awaitPropagation("overwrite", answered, DOC, null, (method, answer) -> answer.status == 200
                && etag.equals(answer.header("ETag"))
                && (method.equals("HEAD") || Arrays.equals(answer.body, bytes)));
        assertThat(old).isNotEqualTo(bytes);
    }

    @Test
    @Order(3)
    void aMetadataChangeShowsEverywhere() {
        warm(DOC);
        Answer patched = send(a, "PATCH", path(DOC), admin,
                json(Map.of("contentType", "text/markdown", "metadata", Map.of("rev", "2"))), "application/json");
        long answered = System.nanoTime();
        assertThat(patched.status).isEqualTo(200);

        awaitPropagation("metadata", answered, DOC, null, (method, answer) -> answer.status == 200
                && answer.header("Content-Type").startsWith("text/markdown")
                && "2".equals(answer.header("X-Meta-rev")));
    }

    @Test
    @Order(4)
    void aDeleteShowsEverywhereAndARecreationToo() {
        warm(DOC);
        Answer deleted = send(a, "DELETE", path(DOC), admin, null, null);
        long answered = System.nanoTime();
        assertThat(deleted.status).isEqualTo(204);

        awaitPropagation("delete", answered, DOC, null, (method, answer) -> answer.status == 404);

        // b and c now remember "not found" (briefly); creating the key again must end that at once.
        byte[] bytes = randomBytes(1_000);
        Answer created = put(a, DOC, bytes);
        answered = System.nanoTime();
        assertThat(created.status).isEqualTo(200);
        awaitPropagation("re-creation", answered, DOC, null, (method, answer) -> answer.status == 200
                && (method.equals("HEAD") || Arrays.equals(answer.body, bytes)));
    }

    @Test
    @Order(5)
    void aBucketTurnedPrivateStopsServingAnonymouslyEverywhere() {
        String key = "logo.txt";
        byte[] bytes = randomBytes(500);
        assertThat(send(a, "PUT", "/v1/buckets/" + SITE + "/objects/" + key, admin, bytes, "text/plain").status).isEqualTo(200);
        String anonymous = "/public/" + tenantName + "/" + SITE + "/" + key;
        for (GranaryNode node : List.of(a, b, c)) {
            for (int i = 0; i < 2; i++) {
                assertThat(send(node, "GET", anonymous, null, null, null).status).isEqualTo(200);
            }
        }

        Answer patched = send(a, "PATCH", "/v1/buckets/" + SITE, admin, json(Map.of("visibility", "private")), "application/json");
        long answered = System.nanoTime();
        assertThat(patched.status).isEqualTo(200);
        awaitPropagation("bucket private", answered, null, node -> send(node, "GET", anonymous, null, null, null),
                (method, answer) -> answer.status == 404);

        patched = send(a, "PATCH", "/v1/buckets/" + SITE, admin, json(Map.of("visibility", "public")), "application/json");
        answered = System.nanoTime();
        assertThat(patched.status).isEqualTo(200);
        awaitPropagation("bucket public", answered, null, node -> send(node, "GET", anonymous, null, null, null),
                (method, answer) -> answer.status == 200 && Arrays.equals(answer.body, bytes));
    }

    @Test
    @Order(6)
    void aRevokedKeyStopsWorkingEverywhere() {
        Map<String, Object> issued = issueKey(List.of("read"));
        String secret = (String) issued.get("secret");
        for (GranaryNode node : List.of(a, b, c)) {
            for (int i = 0; i < 2; i++) {
                assertThat(send(node, "GET", path(DOC), secret, null, null).status).isEqualTo(200);
            }
        }

        Answer revoked = send(a, "DELETE", "/v1/tenants/" + tenantId + "/keys/" + issued.get("id"), admin, null, null);
        long answered = System.nanoTime();
        assertThat(revoked.status).isEqualTo(204);
        awaitPropagation("key revoked", answered, null, node -> send(node, "GET", path(DOC), secret, null, null),
                (method, answer) -> answer.status == 401);
    }

    @Test
    @Order(7)
    void killingRedisUnderLoadFailsNoRequestAndCoherenceResumes() throws Exception {
        Load load = Load.start();
        try {
            Thread.sleep(1_000);
            redis.stop();
            log.info("Redis stopped after {} requests", load.requests.get());
            warm(DOC);
            // Without the channel no invalidation reaches b and c; what they load now stays in
            // their memory only the local TTL, so a change on a shows within it.
            byte[] duringOutage = randomBytes(1_200);
            Answer written = put(a, DOC, duringOutage);
            long answered = System.nanoTime();
            assertThat(written.status).isEqualTo(200);
            // The TTL has ±10 % jitter; the rest is room for a noisy machine (without the local
            // TTL it would be the normal one, minutes).
            awaitPropagation("overwrite during the outage", answered, DOC, null, LOCAL_TTL.plusSeconds(1),
                    (method, answer) -> answer.status == 200 && (method.equals("HEAD") || Arrays.equals(answer.body, duringOutage)));
            Thread.sleep(1_000);
        } finally {
            redis.restart();
        }
        log.info("Redis restarted after {} requests", load.requests.get());
        Thread.sleep(3_000);
        // A machine busy with other work makes fewer: the load goes on until it made enough.
        for (int i = 0; i < 200 && load.requests.get() <= 100; i++) {
            Thread.sleep(100);
        }
        load.stop();

        assertThat(load.failures).as("failed requests").isEmpty();
        assertThat(load.requests.get()).as("requests made").isGreaterThan(100);
        for (GranaryNode node : List.of(a, b, c)) {
            assertThat(metric(node, "granary_cache_redis_total{cache=\"object\",result=\"error\"}"))
                    .as("the outage was felt").isPositive();
        }

        // Back to coherent: once every node has subscribed again and uses Redis, changes on a
        // reach b and c within the 100 ms again.
        awaitTrue("all three nodes subscribed again", () -> subscribers() == 3L);
        List.of(a, b, c).forEach(CacheCoherenceTest::awaitRedisInUse);
        warm(DOC);
        byte[] bytes = randomBytes(1_500);
        Answer rewritten = put(a, DOC, bytes);
        long answeredAfter = System.nanoTime();
        assertThat(rewritten.status).isEqualTo(200);
        awaitPropagation("overwrite after the outage", answeredAfter, DOC, null, PROPAGATION, (method, answer) -> answer.status == 200
                && (method.equals("HEAD") || Arrays.equals(answer.body, bytes)));
    }

    @Test
    @Order(8)
    void aRedisThatHangsFailsNoRequestAndWhatItMissedIsDeliveredAfter() throws Exception {
        warm(DOC);
        byte[] bytes = randomBytes(1_300);
        Load load = Load.start();
        long writeTook;
        redis.freeze();
        try {
            // A read that needs Redis waits out one timeout and opens a's breaker...
            assertThat(get(a, "missing/" + System.nanoTime()).status).isEqualTo(404);
            // ...so the invalidation of this change is not even sent.
            long sent = System.nanoTime();
            Answer written = put(a, DOC, bytes);
            writeTook = System.nanoTime() - sent;
            assertThat(written.status).isEqualTo(200);
            Thread.sleep(1_000);
        } finally {
            redis.thaw();
        }
        long thawed = System.nanoTime();
        // b and c kept their subscriptions (Redis hung, it did not go away) and their cached
        // copies; a delivers the invalidation once Redis answers: its breaker lets a call through
        // within a retry interval (1 s), and it redelivers every retry interval. Without that,
        // b and c would serve the old bytes for the memory TTL, minutes.
        awaitPropagation("overwrite during a hang, after the thaw", thawed, DOC, null, Duration.ofSeconds(5),
                (method, answer) -> answer.status == 200 && (method.equals("HEAD") || Arrays.equals(answer.body, bytes)));
        load.stop();
        assertThat(load.failures).as("failed requests").isEmpty();
        assertThat(Duration.ofNanos(writeTook)).as("the write while Redis hung").isLessThan(Duration.ofSeconds(2));
    }

    /** Requests on all three nodes in a loop, each node on its own keys plus the shared document. */
    private record Load(AtomicBoolean running, AtomicInteger requests, ConcurrentLinkedQueue<String> failures,
                        List<CompletableFuture<Void>> workers) {

        static Load start() {
            Load load = new Load(new AtomicBoolean(true), new AtomicInteger(), new ConcurrentLinkedQueue<>(), new ArrayList<>());
            List<GranaryNode> nodes = List.of(a, b, c);
            for (int n = 0; n < nodes.size(); n++) {
                GranaryNode node = nodes.get(n);
                String name = "abc".substring(n, n + 1);
                load.workers.add(CompletableFuture.runAsync(() -> load(node, name, load.running, load.requests, load.failures),
                        pollers));
            }
            return load;
        }

        void stop() throws Exception {
            running.set(false);
            CompletableFuture.allOf(workers.toArray(CompletableFuture[]::new)).get(60, java.util.concurrent.TimeUnit.SECONDS);
            log.info("{} requests under load", requests.get());
        }
    }

    /** Waits until the node reads through Redis again (its breaker closed): a lookup of a new key counts a Redis miss. */
    private static void awaitRedisInUse(GranaryNode node) {
        awaitTrue("the node uses Redis again", () -> {
            double misses = metric(node, "granary_cache_redis_total{cache=\"object\",result=\"miss\"}");
            assertThat(get(node, "probe/" + System.nanoTime()).status).isEqualTo(404);
            return metric(node, "granary_cache_redis_total{cache=\"object\",result=\"miss\"}") > misses;
        });
    }

    private static long subscribers() {
        return redis(r -> r.pubsubNumsub("granary:cache:invalidate").get("granary:cache:invalidate"));
    }

    private static double metric(GranaryNode node, String sample) {
        return prometheus(node).getOrDefault(sample, 0.0);
    }

    /** One node's share of the load: its own keys written and read back, the shared document read. */
    private static void load(GranaryNode node, String name, AtomicBoolean running, AtomicInteger requests,
                             ConcurrentLinkedQueue<String> failures) {
        for (int i = 0; running.get(); i++) {
            String key = "load/" + name + "-" + (i % 4);
            byte[] bytes = ("written by " + name + " in round " + i).getBytes(StandardCharsets.UTF_8);
            try {
                check(failures, name, "PUT " + key, put(node, key, bytes), 200);
                Answer read = get(node, key);
                check(failures, name, "GET " + key, read, 200);
                if (read.status == 200 && !Arrays.equals(read.body, bytes)) {
                    failures.add(name + ": GET " + key + " did not return what this node just wrote");
                }
                check(failures, name, "GET " + DOC, get(node, DOC), 200, 404);
                check(failures, name, "HEAD " + DOC, head(node, DOC), 200, 404);
                check(failures, name, "GET other", get(node, "load/" + "abc".charAt((i + 1) % 3) + "-0"), 200, 404);
                requests.addAndGet(5);
            } catch (RuntimeException e) {
                failures.add(name + ": " + e);
            }
        }
    }

    private static void check(ConcurrentLinkedQueue<String> failures, String node, String what, Answer answer, int... expected) {
        if (Arrays.stream(expected).noneMatch(status -> status == answer.status)) {
            failures.add(node + ": " + what + " answered " + answer.status + " " + new String(answer.body, StandardCharsets.UTF_8));
        }
    }

    /**
     * Polls b and c, each in its own thread, until a GET of {@code key} (or {@code probe}) shows
     * the change, then keeps asking (GET and HEAD) for {@link #STABLE}. Asserts that no request
     * sent more than {@link #PROPAGATION} after {@code since} (a's answer) got the old state, that
     * the change showed, and that once it showed the old state never came back.
     *
     * <p>Times are taken when requests are sent: a node answers from its memory tier at once, so
     * a late invalidation shows as old answers to requests sent after the limit. (When the
     * request was answered is logged too; it adds the cold read the change forces, MongoDB and
     * for new bytes the store, which measures the machine, not coherence.) The memory TTLs are
     * minutes, so only the invalidation can make a change show in time.
     */
    private static void awaitPropagation(String what, long since, String key, Function<GranaryNode, Answer> probe,
                                         ChangeCheck changed) {
        awaitPropagation(what, since, key, probe, PROPAGATION, changed);
    }

    /** {@link #awaitPropagation(String, long, String, Function, ChangeCheck)} with another limit. */
    private static void awaitPropagation(String what, long since, String key, Function<GranaryNode, Answer> probe,
                                         Duration limit, ChangeCheck changed) {
        List<CompletableFuture<Seen>> polls = readers.stream()
                .map(node -> CompletableFuture.supplyAsync(() -> firstSeen(node, since, key, probe, changed), pollers))
                .toList();
        Seen onB = polls.get(0).join();
        Seen onC = polls.get(1).join();
        String times = what + ": b " + onB + ", c " + onC;
        measured.add(times);
        log.info("Propagation of {}", times);
        for (Seen seen : List.of(onB, onC)) {
            assertThat(seen.lastStale).as("%s: the latest request that still got the old state was sent after", what)
                    .isLessThanOrEqualTo(limit);
        }
    }

    /**
     * On one node, after a's answer: when the first request that showed the change was sent and
     * answered, how many requests got the old state before, and when the latest of those was sent.
     */
    private record Seen(Duration sent, Duration answered, int stale, Duration lastStale) {
        @Override
        public String toString() {
            return String.format("seen in a request sent after %d ms (answered after %d ms); %d old answers before%s",
                    sent.toMillis(), answered.toMillis(), stale, stale == 0 ? "" : ", the last to a request sent after "
                            + lastStale.toMillis() + " ms");
        }
    }

    private static Seen firstSeen(GranaryNode node, long since, String key, Function<GranaryNode, Answer> probe,
                                  ChangeCheck changed) {
        long giveUp = since + GIVE_UP.toNanos();
        Seen seen = null;
        int stale = 0;
        Duration lastStale = Duration.ZERO;
        long stableUntil = Long.MAX_VALUE;
        while (System.nanoTime() < stableUntil) {
            boolean shows = true;
            long sent = System.nanoTime();
            // The first answer that shows the change is timed; from then on HEAD is asked as well.
            for (String method : key != null && seen != null ? List.of("GET", "HEAD") : List.of("GET")) {
                Answer answer = key != null ? send(node, method, path(key), admin, null, null) : probe.apply(node);
                assertThat(answer.status).as("no server error while the change spreads").isLessThan(500);
                shows &= changed.test(method, answer);
            }
            long now = System.nanoTime();
            if (seen == null && shows) {
                seen = new Seen(Duration.ofNanos(sent - since), Duration.ofNanos(now - since), stale, lastStale);
                stableUntil = now + STABLE.toNanos();
            } else if (seen != null) {
                assertThat(shows).as("the old state came back after %d ms", seen.answered.toMillis()).isTrue();
            } else {
                stale++;
                lastStale = Duration.ofNanos(sent - since);
                assertThat(now).as("the change never showed").isLessThan(giveUp);
                pause(2);
            }
        }
        return seen;
    }

    /** Reads the document on b and c twice each, so that both hold it in memory; returns its bytes. */
    private static byte[] warm(String key) {
        byte[] bytes = get(a, key).body;
        for (GranaryNode node : readers) {
            for (int i = 0; i < 2; i++) {
                Answer got = get(node, key);
                assertThat(got.status).isEqualTo(200);
                assertThat(got.body).isEqualTo(bytes);
                assertThat(head(node, key).status).isEqualTo(200);
            }
        }
        return bytes;
    }

    @FunctionalInterface
    private interface ChangeCheck {
        boolean test(String method, Answer answer);
    }

    private record Answer(int status, io.netty.handler.codec.http.HttpHeaders headers, byte[] body) {
        String header(String name) {
            String value = headers.get(name);
            return value != null ? value : "";
        }
    }

    private static Answer put(GranaryNode node, String key, byte[] bytes) {
        return send(node, "PUT", path(key), admin, bytes, "text/plain");
    }

    private static Answer get(GranaryNode node, String key) {
        return send(node, "GET", path(key), admin, null, null);
    }

    private static Answer head(GranaryNode node, String key) {
        return send(node, "HEAD", path(key), admin, null, null);
    }

    private static String path(String key) {
        return "/v1/buckets/" + BUCKET + "/objects/" + key;
    }

    private static Answer send(GranaryNode node, String method, String path, String apiKey, byte[] body, String contentType) {
        HttpClient.RequestSender request = client
                .headers(headers -> {
                    if (apiKey != null) {
                        headers.set("X-Api-Key", apiKey);
                    }
                    if (contentType != null) {
                        headers.set("Content-Type", contentType);
                    }
                })
                .request(HttpMethod.valueOf(method)).uri(node.baseUrl + path);
        Mono<Answer> answer = (body == null ? request : request.send(ByteBufFlux.fromInbound(Mono.just(body))))
                .responseSingle((response, content) -> content.asByteArray().defaultIfEmpty(new byte[0])
                        .map(bytes -> new Answer(response.status().code(), response.responseHeaders(), bytes)));
        try {
            return answer.block(Duration.ofSeconds(10));
        } catch (RuntimeException e) {
            throw new IllegalStateException(method + " " + path + " on " + node.baseUrl + " failed: " + e, e);
        }
    }

    private static String createKey(List<String> permissions) {
        return (String) issueKey(permissions).get("secret");
    }

    private static Map<String, Object> issueKey(List<String> permissions) {
        Answer issued = send(a, "POST", "/v1/tenants/" + tenantId + "/keys", ApiTestSupport.ROOT_KEY,
                json(Map.of("name", "coherence", "permissions", permissions)), "application/json");
        assertThat(issued.status).isEqualTo(201);
        return parse(issued.body);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> parse(byte[] body) {
        return tools.jackson.databind.json.JsonMapper.builder().build().readValue(body, Map.class);
    }

    private static byte[] json(Map<String, ?> value) {
        return tools.jackson.databind.json.JsonMapper.builder().build().writeValueAsBytes(value);
    }

    /** The node's Prometheus samples, by name and labels as written. */
    private static Map<String, Double> prometheus(GranaryNode node) {
        Answer scraped = send(node, "GET", "/actuator/prometheus", null, null, null);
        assertThat(scraped.status).isEqualTo(200);
        Map<String, Double> samples = new java.util.HashMap<>();
        Matcher line = Pattern.compile("^([a-z_]+)\\{([^}]*)}\\s+(\\S+)$", Pattern.MULTILINE)
                .matcher(new String(scraped.body, StandardCharsets.UTF_8));
        while (line.find()) {
            // Only the labels this test looks at, in a fixed order: cache, result.
            Matcher cache = Pattern.compile("cache=\"([^\"]*)\"").matcher(line.group(2));
            Matcher result = Pattern.compile("result=\"([^\"]*)\"").matcher(line.group(2));
            if (cache.find() && result.find()) {
                samples.merge(line.group(1) + "{cache=\"" + cache.group(1) + "\",result=\"" + result.group(1) + "\"}",
                        Double.parseDouble(line.group(3)), Double::sum);
            }
        }
        return samples;
    }

    private static <T> T redis(Function<RedisCommands<String, String>, T> command) {
        RedisClient redisClient = RedisClient.create(redis.url());
        try (StatefulRedisConnection<String, String> connection = redisClient.connect()) {
            return command.apply(connection.sync());
        } finally {
            redisClient.shutdown();
        }
    }

    /** Random text (the bytes are declared {@code text/plain}, and the gateway checks that they fit). */
    private static byte[] randomBytes(int size) {
        byte[] bytes = new byte[size];
        synchronized (random) {
            for (int i = 0; i < size; i++) {
                bytes[i] = (byte) ('a' + random.nextInt(26));
            }
        }
        return bytes;
    }

    private static void awaitTrue(String what, java.util.function.BooleanSupplier condition) {
        long deadline = System.nanoTime() + GIVE_UP.toNanos();
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("timed out waiting: " + what).isLessThan(deadline);
            pause(20);
        }
    }

    private static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
