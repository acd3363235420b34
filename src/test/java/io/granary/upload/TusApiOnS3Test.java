package io.granary.upload;

import io.granary.testsupport.S3ProxyServer;
import java.nio.file.Path;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The tus tests again on a real S3 server (S3Proxy), with S3's 5 MiB parts: the parts go
 * through UploadPart and CompleteMultipartUpload, the tails are ordinary store objects.
 */
class TusApiOnS3Test extends TusApiTest {

    private static final Path OWN_DATA_DIR = tempDir();

    @DynamicPropertySource
    static void s3Store(DynamicPropertyRegistry registry) {
        S3ProxyServer s3 = S3ProxyServer.shared();
        registry.add("granary.test.tus-data-dir", OWN_DATA_DIR::toString);
        registry.add("granary.test.min-part-size", () -> "5MB");
        registry.add("granary.store.type", () -> "s3");
        registry.add("granary.store.s3.endpoint", () -> s3.endpoint().toString());
        registry.add("granary.store.s3.region", s3::region);
        registry.add("granary.store.s3.bucket", () -> "granary-tus-test");
        registry.add("granary.store.s3.access-key", s3::accessKey);
        registry.add("granary.store.s3.secret-key", s3::secretKey);
    }

    @Override
    protected int partSize() {
        return 5 << 20;
    }
}
