package io.granary.embedded;

import com.mongodb.ConnectionString;
import de.bwaldvogel.mongo.MongoServer;
import io.granary.config.GranaryProperties;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.autoconfigure.condition.ConditionalOnExpression;
import org.springframework.boot.mongodb.autoconfigure.MongoConnectionDetails;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The single-node default: when no MongoDB is configured ({@code spring.mongodb.uri} and
 * {@code spring.mongodb.host} unset), an in-process MongoDB-wire server persisting to
 * {@code <data-dir>/metadata.mv} starts on a loopback port and the ordinary reactive driver
 * connects to it, so every request takes the same code path as in production. Its indexes are
 * ordered and persistent ({@link IndexedH2Backend}), so queries cost what they cost on MongoDB.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnExpression("'${spring.mongodb.uri:}'.isEmpty() and '${spring.mongodb.host:}'.isEmpty()")
class EmbeddedMongoConfiguration {

    private static final Logger log = LoggerFactory.getLogger(EmbeddedMongoConfiguration.class);

    @Bean(destroyMethod = "shutdownNow") // the client is closed by then; no need to wait out quiet periods
    MongoServer embeddedMongoServer(GranaryProperties properties,
                                    // Fixed only to reach the catalogue from outside (mongosh, a bulk load); loopback always.
                                    @Value("${granary.embedded-mongo.port:0}") int port) {
        Path file = properties.dataDir().resolve("metadata.mv").toAbsolutePath();
        try {
            Files.createDirectories(file.getParent());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create data directory " + file.getParent(), e);
        }
        MongoServer server = new MongoServer(new IndexedH2Backend(file.toString()));
        server.bind(new InetSocketAddress("127.0.0.1", port));
        InetSocketAddress address = server.getLocalAddress();
        log.info("Embedded MongoDB-wire server on {} persisting to {}", address, file);
        return server;
    }

    @Bean
    MongoConnectionDetails embeddedMongoConnectionDetails(MongoServer embeddedMongoServer) {
        InetSocketAddress address = embeddedMongoServer.getLocalAddress();
        // In-process and on loopback: if it does not answer within seconds it is not going to.
        ConnectionString uri = new ConnectionString("mongodb://" + address.getHostString() + ":" + address.getPort()
                + "/granary?serverSelectionTimeoutMS=5000&connectTimeoutMS=2000");
        return () -> uri;
    }
}
