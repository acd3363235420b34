package io.granary.s3api;

import io.granary.testsupport.S3ProxyServer;
import java.nio.file.Path;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * {@link S3MultipartChecksumTest} with the bytes in a real S3 server (S3Proxy), which tracks the
 * parts itself: their checksums come from Granary's record of each part's write.
 */
class S3MultipartChecksumOnS3Test extends S3MultipartChecksumTest {

    private static final Path OWN_DATA_DIR = tempDir();

    @DynamicPropertySource
    static void s3Store(DynamicPropertyRegistry registry) {
        registry.add("granary.test.data-dir", OWN_DATA_DIR::toString);
        S3ProxyServer.shared().registerAsStore(registry, "granary-checksum-test");
    }
}
