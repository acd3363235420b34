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
        s3.registerAsStore(registry, "granary-upload-test");
    }

    @Override
    protected boolean storeUrls() {
        return true;
    }
}
