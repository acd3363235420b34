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
        registry.add("granary.store.type", () -> "s3");
        registry.add("granary.store.s3.endpoint", () -> s3.endpoint().toString());
        registry.add("granary.store.s3.region", s3::region);
        registry.add("granary.store.s3.bucket", () -> "granary-api-test");
        registry.add("granary.store.s3.access-key", s3::accessKey);
        registry.add("granary.store.s3.secret-key", s3::secretKey);
        registry.add("granary.store.s3.part-size", () -> "5MB");
    }

    @Override
    protected boolean expectsRedirects() {
        return true;
    }
}
