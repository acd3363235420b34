package io.granary.config;

import java.nio.file.Files;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.event.EventListener;
import org.springframework.core.env.Environment;
import org.springframework.stereotype.Component;

/**
 * Says, once Granary is ready, in a few lines a newcomer can act on: where it listens and where
 * the API and its description are, where metadata and bytes are kept, where the root key and the
 * first admin's password are (paths only: secrets never go to the log), and what each node
 * decides alone.
 */
@Component
class StartupSummary {

    private static final Logger log = LoggerFactory.getLogger("io.granary");

    private final GranaryProperties properties;
    private final Environment environment;

    StartupSummary(GranaryProperties properties, Environment environment) {
        this.properties = properties;
        this.environment = environment;
    }

    @EventListener
    void ready(ApplicationReadyEvent event) {
        int port = event.getApplicationContext() instanceof WebServerApplicationContext web && web.getWebServer() != null
                ? web.getWebServer().getPort() : -1;
        Path data = properties.dataDir().toAbsolutePath().normalize();
        boolean embeddedMongo = environment.getProperty("spring.mongodb.uri", "").isEmpty()
                && environment.getProperty("spring.mongodb.host", "").isEmpty();
        String metadata = embeddedMongo ? "embedded MongoDB-wire server, kept in " + data.resolve("metadata.mv")
                : "MongoDB at " + mongoAddress();
        String bytes = properties.store().type() == GranaryProperties.StoreType.S3
                ? "S3 bucket '" + properties.store().s3().bucket() + "' at "
                        + (properties.store().s3().endpoint() == null ? "AWS" : properties.store().s3().endpoint())
                : "files under " + data.resolve("store");
        String rootKey = properties.rootKey() != null ? "from GRANARY_ROOT_KEY" : "in " + data.resolve("root.key");
        Path adminPassword = data.resolve("admin.password");
        boolean redis = properties.redis().url() != null && !properties.redis().url().isBlank();
        log.info("Granary is ready on port {}: the API is under /v1, described at /openapi.yaml; health at /actuator/health",
                port);
        log.info("  metadata: {}; object bytes: {}", metadata, bytes);
        log.info("  root key {}{}", rootKey, Files.exists(adminPassword)
                ? "; password of the first system admin 'admin' in " + adminPassword : "");
        log.info("  {}", redis ? "Redis carries rate limits and cache changes between nodes"
                : "rate limits and caches are this node's own (set GRANARY_REDIS_URL to share them between nodes)");
    }

    /** Host and port of the configured MongoDB, never its credentials. */
    private String mongoAddress() {
        String uri = environment.getProperty("spring.mongodb.uri", "");
        if (uri.isEmpty()) {
            return environment.getProperty("spring.mongodb.host", "?") + ":" + environment.getProperty("spring.mongodb.port", "27017");
        }
        String rest = uri.substring(uri.indexOf("://") + 3);
        rest = rest.substring(rest.indexOf('@') + 1);
        int end = rest.indexOf('/');
        return end < 0 ? rest : rest.substring(0, end);
    }
}
