package io.granary.api;

import static org.assertj.core.api.Assertions.assertThat;

import de.bwaldvogel.mongo.MongoServer;
import io.granary.GranaryApplication;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;

/**
 * HTTP caching on top of the metadata and bytes cache: Cache-Control from the object or its
 * bucket's default, immutable answers for URLs that name a version, and hot reads (conditional
 * or not) answered with neither MongoDB nor the blob store reachable.
 */
class HttpCachingApiTest {

    @TempDir
    Path dataDir;

    @Test
    void hotReadsNeedNeitherTheDatabaseNorTheStore() throws Exception {
        try (ConfigurableApplicationContext context = new SpringApplicationBuilder(GranaryApplication.class)
                .run("--server.port=0", "--granary.data-dir=" + dataDir, "--granary.root-key=" + ApiTestSupport.ROOT_KEY,
                        "--granary.cache.local-ttl=1m", "--spring.main.banner-mode=off")) {
            int port = ((WebServerApplicationContext) context).getWebServer().getPort();
            WebTestClient http = WebTestClient.bindToServer().baseUrl("http://127.0.0.1:" + port)
                    .responseTimeout(Duration.ofSeconds(30)).build();
            String tenantId = (String) http.post().uri("/v1/tenants").header("Authorization", "Bearer " + ApiTestSupport.ROOT_KEY)
                    .contentType(MediaType.APPLICATION_JSON).bodyValue(Map.of("name", "cached"))
                    .exchange().expectStatus().isCreated().expectBody(Map.class).returnResult().getResponseBody().get("id");
            String key = (String) http.post().uri("/v1/tenants/{t}/keys", tenantId).header("Authorization", "Bearer " + ApiTestSupport.ROOT_KEY)
                    .contentType(MediaType.APPLICATION_JSON).bodyValue(Map.of("name", "k", "permissions", List.of("admin")))
                    .exchange().expectStatus().isCreated().expectBody(Map.class).returnResult().getResponseBody().get("secret");
            http.post().uri("/v1/buckets").header("X-Api-Key", key).contentType(MediaType.APPLICATION_JSON)
                    .bodyValue(Map.of("name", "site", "cacheControl", "public, max-age=60"))
                    .exchange().expectStatus().isCreated().expectBody().jsonPath("$.cacheControl").isEqualTo("public, max-age=60");
            http.put().uri("/v1/buckets/site/objects/a.txt").header("X-Api-Key", key).contentType(MediaType.TEXT_PLAIN)
                    .bodyValue("hot bytes").exchange().expectStatus().isOk().expectBody();
            http.put().uri("/v1/buckets/site/objects/b.txt").header("X-Api-Key", key).contentType(MediaType.TEXT_PLAIN)
                    .header(HttpHeaders.CACHE_CONTROL, "no-cache").bodyValue("own rules").exchange().expectStatus().isOk().expectBody();

            // The bucket's default applies to objects without their own; an object's own wins.
            String etag = http.get().uri("/v1/buckets/site/objects/a.txt").header("X-Api-Key", key).exchange()
                    .expectStatus().isOk().expectHeader().valueEquals(HttpHeaders.CACHE_CONTROL, "public, max-age=60")
                    .expectBody(String.class).isEqualTo("hot bytes").returnResult().getResponseHeaders().getETag();
            http.get().uri("/v1/buckets/site/objects/b.txt").header("X-Api-Key", key).exchange()
                    .expectHeader().valueEquals(HttpHeaders.CACHE_CONTROL, "no-cache").expectBody();

            // A URL naming the version is immutable while it is current, and a 404 once replaced.
            String version = http.head().uri("/v1/buckets/site/objects/b.txt").header("X-Api-Key", key).exchange()
                    .expectStatus().isOk().expectBody().returnResult().getResponseHeaders().getFirst("X-Version-Id");
            http.get().uri("/v1/buckets/site/objects/b.txt?versionId=" + version).header("X-Api-Key", key).exchange()
                    .expectStatus().isOk().expectHeader().valueEquals(HttpHeaders.CACHE_CONTROL, "no-cache, max-age=31536000, immutable")
                    .expectBody();
            http.put().uri("/v1/buckets/site/objects/b.txt").header("X-Api-Key", key).contentType(MediaType.TEXT_PLAIN)
                    .bodyValue("newer").exchange().expectStatus().isOk().expectBody();
            http.get().uri("/v1/buckets/site/objects/b.txt?versionId=" + version).header("X-Api-Key", key).exchange()
                    .expectStatus().isNotFound().expectBody().jsonPath("$.code").isEqualTo("object_not_found");

            // Warm, then take away both the database and the store's files: the hot object is
            // still served, fully and conditionally, from the cache.
            http.get().uri("/v1/buckets/site/objects/a.txt").header("X-Api-Key", key).exchange().expectStatus().isOk().expectBody();
            context.getBean(MongoServer.class).shutdownNow();
            try (Stream<Path> files = Files.walk(dataDir.resolve("store"))) {
                files.sorted(Comparator.reverseOrder()).filter(Files::isRegularFile).forEach(path -> path.toFile().delete());
            }
            http.get().uri("/v1/buckets/site/objects/a.txt").header("X-Api-Key", key).header(HttpHeaders.IF_NONE_MATCH, etag)
                    .exchange().expectStatus().isNotModified().expectBody().isEmpty();
            http.get().uri("/v1/buckets/site/objects/a.txt").header("X-Api-Key", key).exchange()
                    .expectStatus().isOk().expectBody(String.class).isEqualTo("hot bytes");
            // Anything not cached does need the database, and says so.
            http.get().uri("/v1/buckets/site/objects/never.txt").header("X-Api-Key", key).exchange()
                    .expectStatus().isEqualTo(503).expectBody().jsonPath("$.code").isEqualTo("metadata_unavailable");

            String metrics = http.get().uri("/actuator/prometheus").exchange().expectStatus().isOk()
                    .expectBody(String.class).returnResult().getResponseBody();
            assertThat(metrics).containsPattern("cache_gets_total\\{cache=\"granary\\.object\",[^}]*result=\"hit\"[^}]*} [1-9]");
            assertThat(metrics).containsPattern("cache_gets_total\\{cache=\"granary\\.blob\",[^}]*result=\"hit\"[^}]*} [1-9]");
        }
    }
}
