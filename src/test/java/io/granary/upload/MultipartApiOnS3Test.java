package io.granary.upload;

import io.granary.testsupport.S3ProxyServer;
import java.nio.file.Path;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The multipart tests again on a real S3 server (S3Proxy), with S3's own 5 MiB minimum part
 * size, UploadPart/ListParts/CompleteMultipartUpload underneath and presigned part URLs.
 */
class MultipartApiOnS3Test extends MultipartApiTest {

    private static final Path OWN_DATA_DIR = tempDir();

    @DynamicPropertySource
    static void s3Store(DynamicPropertyRegistry registry) {
        S3ProxyServer s3 = S3ProxyServer.shared();
        registry.add("granary.test.multipart-data-dir", OWN_DATA_DIR::toString);
        registry.add("granary.test.min-part-size", () -> "5MB");
        s3.registerAsStore(registry, "granary-multipart-test");
    }

    @Override
    protected int partSize() {
        return 5 << 20;
    }

    @Override
    protected boolean partUrls() {
        return true;
    }
}
