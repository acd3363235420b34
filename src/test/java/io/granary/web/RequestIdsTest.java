package io.granary.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class RequestIdsTest {

    @Test
    void acceptableIdsAreKeptAndOthersReplaced() {
        assertThat(RequestIds.choose("trace-123.A_b")).isEqualTo("trace-123.A_b");
        assertThat(RequestIds.choose("bad id with spaces")).hasSize(36).isNotEqualTo("bad id with spaces");
        assertThat(RequestIds.choose("x".repeat(65))).hasSize(36);
        assertThat(RequestIds.choose(null)).hasSize(36);
    }

    @Test
    void freshIdsAreDistinctVersion4Uuids() {
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < 10_000; i++) {
            String id = RequestIds.fresh();
            UUID uuid = UUID.fromString(id);
            assertThat(uuid.version()).isEqualTo(4);
            assertThat(uuid.variant()).isEqualTo(2);
            assertThat(uuid.toString()).isEqualTo(id);
            seen.add(id);
        }
        assertThat(seen).hasSize(10_000);
    }
}
