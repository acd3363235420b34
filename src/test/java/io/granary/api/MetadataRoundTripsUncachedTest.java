package io.granary.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** {@link MetadataRoundTripsTest} with the cache off: every lookup reaches MongoDB. */
class MetadataRoundTripsUncachedTest extends RoundTripTestSupport {

    private static final Path OWN_DATA_DIR = tempDir();

    @DynamicPropertySource
    static void cacheOff(DynamicPropertyRegistry registry) {
        registry.add("granary.test.data-dir", OWN_DATA_DIR::toString);
        registry.add("granary.cache.enabled", () -> "false");
    }

    @Test
    void smallObjectPath() {
        // Key, bucket and tenant (for its quotas: by the precheck, and again by the commit) are
        // looked up on every request. (Before issue 14: 9, with a read of the bucket's counter,
        // of the current record, and a conditional $inc on each counter.)
        assertThat(commandsOf(() -> put("new"))).containsExactly("find api_keys", "find buckets", "find tenants",
                "find tenants", "findAndModify objects", "update usage");
        assertThat(commandsOf(() -> get("new"))).containsExactly("find api_keys", "find buckets", "find objects");
        assertThat(commandsOf(() -> head("new"))).containsExactly("find api_keys", "find buckets", "find objects");
    }
}
