package io.granary.api;

import io.granary.testsupport.S3ProxyServer;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** The whole object API again, with the bytes in a real S3 server (S3Proxy in its own process). */
class ObjectApiOnS3Test extends ObjectApiTest {

    private static final java.nio.file.Path OWN_DATA_DIR = tempDir();

    @DynamicPropertySource
    static void s3Store(DynamicPropertyRegistry registry) {
        S3ProxyServer s3 = S3ProxyServer.shared();
        registry.add("granary.test.data-dir", OWN_DATA_DIR::toString);
        s3.registerAsStore(registry, "granary-api-test");
        registry.add("granary.store.s3.part-size", () -> "5MB");
    }

    @Override
    protected boolean expectsRedirects() {
        return true;
    }
}
