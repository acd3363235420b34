package io.granary.config;

import java.time.Duration;
import org.bson.Document;
import org.springframework.boot.health.contributor.AbstractReactiveHealthIndicator;
import org.springframework.boot.health.contributor.Health;
import org.springframework.data.mongodb.core.ReactiveMongoTemplate;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;

/**
 * Reports the metadata database as {@code mongo} under {@code /actuator/health}. Replaces Spring
 * Boot's MongoDB indicator, whose {@code hello} command the embedded wire server does not know;
 * {@code ping} works on every MongoDB and on the embedded server alike.
 */
@Component("mongoHealthIndicator")
class MetadataHealthIndicator extends AbstractReactiveHealthIndicator {

    private final ReactiveMongoTemplate mongo;

    MetadataHealthIndicator(ReactiveMongoTemplate mongo) {
        super("MongoDB health check failed");
        this.mongo = mongo;
    }

    @Override
    protected Mono<Health> doHealthCheck(Health.Builder builder) {
        return mongo.getMongoDatabase()
                .flatMap(database -> Mono.from(database.runCommand(new Document("ping", 1)))
                        .thenReturn(builder.up().withDetail("database", database.getName()).build()))
                .timeout(Duration.ofSeconds(5));
    }
}
