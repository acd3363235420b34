package io.granary.api;

import com.mongodb.event.CommandListener;
import com.mongodb.event.CommandStartedEvent;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.BeforeEach;
import org.springframework.boot.mongodb.autoconfigure.MongoClientSettingsBuilderCustomizer;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.http.MediaType;

/**
 * Base of the tests that count the MongoDB commands a request sends: a driver
 * {@link CommandListener}, registered through Spring Boot's client customizer on the real
 * client talking to the embedded server, records {@code "<command> <collection>"} for the
 * collections a request touches. Subclasses give each its own data directory.
 */
@Import(RoundTripTestSupport.Listener.class)
abstract class RoundTripTestSupport extends ApiTestSupport {

    /** Collections the object path touches; others (audit, leases, ...) are background work. */
    private static final Set<String> REQUEST_COLLECTIONS = Set.of("objects", "usage", "buckets", "tenants", "api_keys");
    private static final List<String> COMMANDS = new CopyOnWriteArrayList<>();

    @TestConfiguration
    static class Listener {
        @Bean
        MongoClientSettingsBuilderCustomizer countingCommands() {
            return settings -> settings.addCommandListener(new CommandListener() {
                @Override
                public void commandStarted(CommandStartedEvent event) {
                    // A command document starts with "<command name>: <collection>".
                    String name = event.getCommandName();
                    String collection = event.getCommand().isString(name) ? event.getCommand().getString(name).getValue() : "";
                    if (REQUEST_COLLECTIONS.contains(collection)) {
                        COMMANDS.add(name + " " + collection);
                    }
                }
            });
        }
    }

    protected String key;
    protected String bucket;

    @BeforeEach
    void warmBucket() {
        key = newTenantAdmin();
        bucket = unique("rt");
        createBucket(key, bucket, Map.of());
        // Warms what every request needs: key, bucket, tenant, the usage counters.
        put("warm");
        get("warm");
    }

    /** The commands {@code request} sent, in order. */
    protected static List<String> commandsOf(Runnable request) {
        COMMANDS.clear();
        request.run();
        return new ArrayList<>(COMMANDS);
    }

    protected void put(String objectKey) {
        http.put().uri("/v1/buckets/{b}/objects/{k}", bucket, objectKey).header("X-Api-Key", key)
                .contentType(MediaType.APPLICATION_OCTET_STREAM).bodyValue(new byte[4096])
                .exchange().expectStatus().isOk().expectBody().returnResult();
    }

    protected void get(String objectKey) {
        http.get().uri("/v1/buckets/{b}/objects/{k}", bucket, objectKey).header("X-Api-Key", key)
                .exchange().expectStatus().isOk().expectBody().returnResult();
    }

    protected void head(String objectKey) {
        http.head().uri("/v1/buckets/{b}/objects/{k}", bucket, objectKey).header("X-Api-Key", key)
                .exchange().expectStatus().isOk().expectBody().returnResult();
    }
}
