package io.granary.embedded;

import com.mongodb.reactivestreams.client.MongoClient;
import com.mongodb.reactivestreams.client.MongoClients;
import org.junit.jupiter.api.AfterAll;
import org.testcontainers.junit.jupiter.Testcontainers;
import org.testcontainers.mongodb.MongoDBContainer;

/**
 * {@link OrderedIndexTest} with MongoDB 7 as the oracle: the indexed embedded server answers
 * as the production database does. Runs only where a Docker engine answers.
 */
@Testcontainers(disabledWithoutDocker = true)
class OrderedIndexOnMongoTest extends OrderedIndexTest {

    static final MongoDBContainer MONGO = new MongoDBContainer("mongo:7");

    @Override
    protected MongoClient oracle() {
        if (!MONGO.isRunning()) {
            MONGO.start();
        }
        MongoClient client = MongoClients.create(MONGO.getReplicaSetUrl("granary"));
        reactor.core.publisher.Mono.from(client.getDatabase("granary").drop()).block();
        return client;
    }

    @AfterAll
    static void stopMongo() {
        MONGO.stop();
    }
}
