package io.granary.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The MongoDB commands of a small PUT, GET and HEAD with the cache on (the default; key, bucket
 * and tenant warm): the figures docs/architecture.md states under "Round trips per request", so
 * that a change adding a lookup to the small-object path fails here.
 */
class MetadataRoundTripsTest extends RoundTripTestSupport {

    private static final Path OWN_DATA_DIR = tempDir();

    @DynamicPropertySource
    static void ownDataDir(DynamicPropertyRegistry registry) {
        registry.add("granary.test.data-dir", OWN_DATA_DIR::toString);
        // Long enough that nothing warmed expires while the test counts (a slow machine).
        registry.add("granary.cache.local-ttl", () -> "10m");
    }

    @Test
    void smallObjectPath() {
        // No quota: the commit (an upsert that returns the version it replaced), then both usage
        // counters in one command. (Before issue 14: a read of the bucket's counter, the
        // current record, a conditional $inc on each counter and the commit, 5.)
        assertThat(commandsOf(() -> put("new"))).containsExactly("findAndModify objects", "update usage");
        // An overwrite of the same size changes no counter.
        assertThat(commandsOf(() -> put("new"))).containsExactly("findAndModify objects");
        // The first read after a write loads the record; later reads and HEADs are answered from memory.
        assertThat(commandsOf(() -> get("new"))).containsExactly("find objects");
        assertThat(commandsOf(() -> get("new"))).isEmpty();
        assertThat(commandsOf(() -> head("new"))).isEmpty();
    }

    @Test
    void withQuota() {
        bucket = unique("rtq");
        createBucket(key, bucket, Map.of("quotaBytes", 1_000_000));
        put("warm");
        // The precheck reads the bucket's counter; the reservation needs the size of the version
        // replaced before the commit, and takes it from each counter with a conditional $inc.
        assertThat(commandsOf(() -> put("new"))).containsExactly("find usage", "find objects",
                "findAndModify usage", "findAndModify usage", "findAndModify objects");
        // Overwriting: the record is cached now (the commit invalidated it, the read refilled it).
        get("new");
        assertThat(commandsOf(() -> put("new"))).containsExactly("find usage",
                "findAndModify usage", "findAndModify usage", "findAndModify objects");
    }
}
