package io.granary.api;

import org.testcontainers.containers.MinIOContainer;
import org.testcontainers.junit.jupiter.Testcontainers;
import org.testcontainers.mongodb.MongoDBContainer;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The whole object API against the production pieces, MongoDB 7 and MinIO, in containers.
 * Runs only where a Docker engine answers; skipped elsewhere (the same tests run against the
 * embedded wire server and S3Proxy in {@link ObjectApiTest} and {@link ObjectApiOnS3Test}).
 */
@Testcontainers(disabledWithoutDocker = true)
class ObjectApiOnContainersTest extends ObjectApiTest {

    static final MongoDBContainer MONGO = new MongoDBContainer("mongo:7");
    static final MinIOContainer MINIO = new MinIOContainer("minio/minio:RELEASE.2025-04-22T22-12-26Z");

    private static final java.nio.file.Path OWN_DATA_DIR = tempDir();

    @DynamicPropertySource
    static void containers(DynamicPropertyRegistry registry) {
        MONGO.start();
        MINIO.start();
        registry.add("spring.mongodb.uri", () -> MONGO.getReplicaSetUrl("granary"));
        registry.add("granary.test.data-dir", OWN_DATA_DIR::toString);
        registry.add("granary.store.type", () -> "s3");
        registry.add("granary.store.s3.endpoint", MINIO::getS3URL);
        registry.add("granary.store.s3.bucket", () -> "granary-containers");
        registry.add("granary.store.s3.access-key", MINIO::getUserName);
        registry.add("granary.store.s3.secret-key", MINIO::getPassword);
        registry.add("granary.store.s3.part-size", () -> "5MB");
    }

    @Override
    protected boolean expectsRedirects() {
        return true;
    }
}
