package io.granary.api;

import de.bwaldvogel.mongo.MongoServer;
import io.granary.GranaryApplication;
import io.granary.testsupport.S3ProxyServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.EntityExchangeResult;
import org.springframework.test.web.reactive.server.WebTestClient;

/**
 * One Granary started as its own application context on a random port, for tests that need
 * several nodes (they share metadata by pointing {@code spring.mongodb.uri} at the first node's
 * embedded server) or that must control start-up themselves.
 */
final class GranaryNode implements AutoCloseable {

    private final ConfigurableApplicationContext context;
    final WebTestClient http;
    /** {@code http://127.0.0.1:<port>}, for clients other than {@link #http}. */
    final String baseUrl;

    private GranaryNode(ConfigurableApplicationContext context) {
        this.context = context;
        int port = ((WebServerApplicationContext) context).getWebServer().getPort();
        this.baseUrl = "http://127.0.0.1:" + port;
        this.http = WebTestClient.bindToServer().baseUrl(baseUrl)
                .responseTimeout(Duration.ofSeconds(30)).build();
    }

    /** Starts a node with the test root key, a fresh data directory and the given extra {@code --name=value} arguments. */
    static GranaryNode start(List<String> arguments) {
        return start(ApiTestSupport.tempDir(), arguments);
    }

    /** Starts a node on {@code dataDir}, which may hold an earlier node's data (one node at a time). */
    static GranaryNode start(java.nio.file.Path dataDir, List<String> arguments) {
        List<String> all = new ArrayList<>(List.of("--server.port=0",
                "--granary.data-dir=" + dataDir,
                "--granary.root-key=" + ApiTestSupport.ROOT_KEY,
                "--spring.main.banner-mode=off"));
        all.addAll(arguments);
        return new GranaryNode(new SpringApplicationBuilder(GranaryApplication.class).run(all.toArray(String[]::new)));
    }

    /**
     * Arguments that put a node's blobs in {@code bucket} of the shared S3Proxy (so that nodes
     * share them) and turn rate limits and the cache off, with {@code more} after them.
     */
    static List<String> onSharedS3(String bucket, String... more) {
        S3ProxyServer s3 = S3ProxyServer.shared();
        List<String> arguments = new ArrayList<>(List.of(
                "--granary.rate-limit.enabled=false",
                // Without Redis a node may serve "no such object" from its cache for a while after
                // another node wrote it (see CacheCoherenceTest); these tests are about the store.
                "--granary.cache.enabled=false",
                "--granary.store.type=s3",
                "--granary.store.s3.endpoint=" + s3.endpoint(),
                "--granary.store.s3.region=" + s3.region(),
                "--granary.store.s3.bucket=" + bucket,
                "--granary.store.s3.access-key=" + s3.accessKey(),
                "--granary.store.s3.secret-key=" + s3.secretKey()));
        arguments.addAll(List.of(more));
        return arguments;
    }

    <T> T bean(Class<T> type) {
        return context.getBean(type);
    }

    /** The argument that makes another node use this node's embedded metadata database. */
    String sharedMetadataArgument() {
        int port = context.getBean(MongoServer.class).getLocalAddress().getPort();
        return "--spring.mongodb.uri=mongodb://127.0.0.1:" + port + "/granary";
    }

    /** Creates a tenant as root; returns its id. */
    String createTenant(String name) {
        return (String) asRoot(http.post().uri("/v1/tenants"), Map.of("name", name)).get("id");
    }

    /** Issues a {@code list} key as root, with its own rate when {@code requestsPerSecond} is not null. */
    IssuedKey createKey(String tenantId, Double requestsPerSecond) {
        Map<String, Object> spec = new java.util.HashMap<>(Map.of("name", "rl", "permissions", List.of("list")));
        if (requestsPerSecond != null) {
            spec.put("requestsPerSecond", requestsPerSecond);
        }
        Map<?, ?> body = asRoot(http.post().uri("/v1/tenants/{t}/keys", tenantId), spec);
        return new IssuedKey((String) body.get("id"), (String) body.get("secret"));
    }

    /** {@code GET /v1/buckets} with the key: a cheap request that passes the rate limiter. */
    EntityExchangeResult<String> listBuckets(IssuedKey key) {
        return http.get().uri("/v1/buckets").header("X-Api-Key", key.secret()).exchange()
                .expectBody(String.class).returnResult();
    }

    private Map<?, ?> asRoot(WebTestClient.RequestBodySpec request, Map<String, ?> body) {
        return request.header("Authorization", "Bearer " + ApiTestSupport.ROOT_KEY)
                .contentType(MediaType.APPLICATION_JSON).bodyValue(body)
                .exchange().expectStatus().isCreated().expectBody(Map.class).returnResult().getResponseBody();
    }

    @Override
    public void close() {
        context.close();
    }

    /** An API key: its id (which names its bucket in Redis) and its secret. */
    record IssuedKey(String id, String secret) {
    }
}
