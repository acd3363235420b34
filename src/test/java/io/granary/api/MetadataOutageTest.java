package io.granary.api;

import de.bwaldvogel.mongo.MongoServer;
import io.granary.GranaryApplication;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;

/** Losing the metadata database is a retryable 503 with a stable code, never a 500. */
class MetadataOutageTest {

    @TempDir
    Path dataDir;

    @Test
    void requestsFailWith503WhileTheDatabaseIsGone() {
        try (ConfigurableApplicationContext context = new SpringApplicationBuilder(GranaryApplication.class)
                .run("--server.port=0", "--granary.data-dir=" + dataDir, "--granary.root-key=" + ApiTestSupport.ROOT_KEY,
                        "--spring.main.banner-mode=off")) {
            int port = ((WebServerApplicationContext) context).getWebServer().getPort();
            WebTestClient http = WebTestClient.bindToServer().baseUrl("http://127.0.0.1:" + port)
                    .responseTimeout(Duration.ofSeconds(30)).build();
            http.post().uri("/v1/tenants").header("Authorization", "Bearer " + ApiTestSupport.ROOT_KEY)
                    .contentType(MediaType.APPLICATION_JSON).bodyValue(Map.of("name", "before"))
                    .exchange().expectStatus().isCreated().expectBody();

            context.getBean(MongoServer.class).shutdownNow();

            http.get().uri("/v1/tenants").header("Authorization", "Bearer " + ApiTestSupport.ROOT_KEY).exchange()
                    .expectStatus().isEqualTo(503)
                    .expectHeader().contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON)
                    .expectBody().jsonPath("$.code").isEqualTo("metadata_unavailable");
            http.get().uri("/actuator/health").exchange().expectStatus().isEqualTo(503).expectBody();
        }
    }
}
