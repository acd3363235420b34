package io.granary.api;

import io.granary.testsupport.S3ProxyServer;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** {@link ConcurrentWritersTest} with the bytes in a real S3 server. */
class ConcurrentWritersOnS3Test extends ConcurrentWritersTest {

    private static final java.nio.file.Path OWN_DATA_DIR = tempDir();

    @DynamicPropertySource
    static void s3Store(DynamicPropertyRegistry registry) {
        S3ProxyServer s3 = S3ProxyServer.shared();
        registry.add("granary.test.data-dir", OWN_DATA_DIR::toString);
        s3.registerAsStore(registry, "granary-writers-test");
        registry.add("granary.store.s3.part-size", () -> "5MB");
    }
}
