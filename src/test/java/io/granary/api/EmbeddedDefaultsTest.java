package io.granary.api;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.granary.GranaryApplication;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.context.event.ApplicationPreparedEvent;
import org.springframework.context.ApplicationListener;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;

/**
 * The zero-configuration start: no MongoDB URI and no root key. Granary generates the root key
 * into the data directory (mode 600), keeps its metadata in the embedded server's file, and
 * finds both again after a restart. Its start says where things are, in a few lines, with no
 * secret and no warning.
 */
class EmbeddedDefaultsTest {

    @TempDir
    Path dataDir;

    private ConfigurableApplicationContext start() {
        return new SpringApplicationBuilder(GranaryApplication.class)
                .run("--server.port=0", "--granary.data-dir=" + dataDir, "--spring.main.banner-mode=off");
    }

    private static WebTestClient client(ConfigurableApplicationContext context) {
        int port = ((WebServerApplicationContext) context).getWebServer().getPort();
        return WebTestClient.bindToServer().baseUrl("http://127.0.0.1:" + port).build();
    }

    @Test
    void theFirstStartSaysWhereThingsAreInAFewLinesAndKeepsSecretsOutOfTheLog() throws Exception {
        ListAppender<ILoggingEvent> lines = new ListAppender<>();
        Logger root = (Logger) LoggerFactory.getLogger(Logger.ROOT_LOGGER_NAME);
        try (ConfigurableApplicationContext first = new SpringApplicationBuilder(GranaryApplication.class)
                // Attached once logging is set up for this start (which replaces earlier appenders).
                .listeners((ApplicationListener<ApplicationPreparedEvent>) event -> {
                    lines.start();
                    root.addAppender(lines);
                })
                .run("--server.port=0", "--granary.data-dir=" + dataDir, "--spring.main.banner-mode=off")) {
            String rootKey = Files.readString(dataDir.resolve("root.key")).strip();
            String password = Files.readString(dataDir.resolve("admin.password")).strip();
            List<ILoggingEvent> events = List.copyOf(lines.list);
            assertThat(events).allSatisfy(event -> assertThat(event.getFormattedMessage())
                    .doesNotContain(rootKey).doesNotContain(password));
            assertThat(events).as("warnings at a clean first start")
                    .noneMatch(event -> event.getLevel().isGreaterOrEqual(Level.WARN));
            String summary = events.stream().filter(event -> event.getLoggerName().equals("io.granary"))
                    .map(ILoggingEvent::getFormattedMessage).reduce("", (a, b) -> a + b + "\n");
            Path data = dataDir.toAbsolutePath().normalize();
            assertThat(summary).contains("Granary is ready on port " + ((WebServerApplicationContext) first).getWebServer().getPort())
                    .contains("embedded MongoDB-wire server, kept in " + data.resolve("metadata.mv"))
                    .contains("files under " + data.resolve("store"))
                    .contains("root key in " + data.resolve("root.key"))
                    .contains("first system admin 'admin' in " + data.resolve("admin.password"))
                    .contains("rate limits and caches are this node's own");
        } finally {
            root.detachAppender(lines);
        }
    }

    @Test
    void generatesRootKeyAndPersistsMetadataAcrossRestarts() throws Exception {
        String tenantId;
        String rootKey;
        String accessToken;
        try (ConfigurableApplicationContext first = start()) {
            Path keyFile = dataDir.resolve("root.key");
            assertThat(keyFile).exists();
            assertThat(Files.getPosixFilePermissions(keyFile))
                    .containsExactlyInAnyOrder(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);
            rootKey = Files.readString(keyFile).strip();
            assertThat(rootKey.length()).isGreaterThanOrEqualTo(32);
            assertThat(dataDir.resolve("metadata.mv")).exists();

            WebTestClient http = client(first);
            Map<?, ?> tenant = http.post().uri("/v1/tenants").header("Authorization", "Bearer " + rootKey)
                    .contentType(MediaType.APPLICATION_JSON).bodyValue(Map.of("name", "persisted"))
                    .exchange().expectStatus().isCreated().expectBody(Map.class).returnResult().getResponseBody();
            tenantId = (String) tenant.get("id");
            String admin = (String) http.post().uri("/v1/tenants/{id}/keys", tenantId).header("Authorization", "Bearer " + rootKey)
                    .contentType(MediaType.APPLICATION_JSON).bodyValue(Map.of("name", "a", "permissions", List.of("admin")))
                    .exchange().expectStatus().isCreated().expectBody(Map.class).returnResult().getResponseBody().get("secret");
            http.post().uri("/v1/buckets").header("X-Api-Key", admin).contentType(MediaType.APPLICATION_JSON)
                    .bodyValue(Map.of("name", "keep")).exchange().expectStatus().isCreated().expectBody();
            http.put().uri("/v1/buckets/keep/objects/hello.txt").header("X-Api-Key", admin)
                    .contentType(MediaType.TEXT_PLAIN).bodyValue("still here").exchange().expectStatus().isOk().expectBody();
            Files.writeString(dataDir.resolve("admin.key"), admin);

            // The first system admin's generated password sits beside the root key.
            Path passwordFile = dataDir.resolve("admin.password");
            assertThat(Files.getPosixFilePermissions(passwordFile))
                    .containsExactlyInAnyOrder(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);
            accessToken = (String) http.post().uri("/v1/auth/login").contentType(MediaType.APPLICATION_JSON)
                    .bodyValue(Map.of("username", "admin", "password", Files.readString(passwordFile).strip()))
                    .exchange().expectStatus().isOk().expectBody(Map.class).returnResult().getResponseBody().get("accessToken");
        }
        try (ConfigurableApplicationContext second = start()) {
            assertThat(Files.readString(dataDir.resolve("root.key")).strip()).isEqualTo(rootKey);
            WebTestClient http = client(second);
            http.get().uri("/v1/tenants/{id}", tenantId).header("Authorization", "Bearer " + rootKey)
                    .exchange().expectStatus().isOk().expectBody().jsonPath("$.name").isEqualTo("persisted");
            String admin = Files.readString(dataDir.resolve("admin.key"));
            http.get().uri("/v1/buckets/keep/objects/hello.txt").header("X-Api-Key", admin)
                    .exchange().expectStatus().isOk().expectBody(String.class).isEqualTo("still here");
            // The issuer's signing key persisted: a token of the first run is still valid (and
            // the port changed, so the token is checked against the second run's issuer name).
            String issuer = (String) http.get().uri("/.well-known/openid-configuration").exchange()
                    .expectBody(Map.class).returnResult().getResponseBody().get("issuer");
            assertThat(issuer).startsWith("http://localhost:");
            http.get().uri("/.well-known/jwks.json").exchange().expectStatus().isOk()
                    .expectBody().jsonPath("$.keys.length()").isEqualTo(1)
                    .jsonPath("$.keys[0].kid").isEqualTo(com.nimbusds.jwt.SignedJWT.parse(accessToken).getHeader().getKeyID());
        }
        assertThat(Set.of(Files.list(dataDir).map(p -> p.getFileName().toString()).toArray()))
                .contains("root.key", "metadata.mv", "store");
    }
}
