package io.granary.upload;

import io.granary.testsupport.S3ProxyServer;
import java.nio.file.Path;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The upload-intent tests again with the bytes in a real S3 server (S3Proxy): the URLs handed
 * out are presigned S3 PUTs, which S3Proxy checks like S3 (signed length, type and expiry).
 */
class UploadIntentApiOnS3Test extends UploadIntentApiTest {

    private static final Path OWN_DATA_DIR = tempDir();

    @DynamicPropertySource
    static void s3Store(DynamicPropertyRegistry registry) {
        S3ProxyServer s3 = S3ProxyServer.shared();
        registry.add("granary.test.data-dir", OWN_DATA_DIR::toString);
        registry.add("granary.store.type", () -> "s3");
        registry.add("granary.store.s3.endpoint", () -> s3.endpoint().toString());
        registry.add("granary.store.s3.region", s3::region);
        registry.add("granary.store.s3.bucket", () -> "granary-upload-test");
        registry.add("granary.store.s3.access-key", s3::accessKey);
        registry.add("granary.store.s3.secret-key", s3::secretKey);
    }

    @Override
    protected boolean storeUrls() {
        return true;
    }
}
