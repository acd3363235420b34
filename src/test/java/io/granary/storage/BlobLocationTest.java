package io.granary.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Locations are made only of ids: whatever else a record or a caller hands over is refused. */
class BlobLocationTest {

    private static final String LONGEST_ID = "a".repeat(64);

    @ParameterizedTest
    @ValueSource(strings = {"t/T1/b_2/v-3", "r/t/b/v/0f3a", "r/A/B/C/a1b2c3d4"})
    void anObjectsOrARenditionsPathIsALocation(String path) {
        assertThat(new BlobLocation(path).path()).isEqualTo(path);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "t", "t/", "t/a/b", "t/a/b/c/d", "t/a/b/c/", "/t/a/b/c", "t//b/c", "t/a/../c", "t/a/b/c.d",
        "t/a/b/c d", "t/a/b\\c", "r/a/b/c", "r/a/b/c/d/e", "x/a/b/c", "T/a/b/c", "t/a/b/é", "tt/a/b/c"})
    void anythingElseIsRefused(String path) {
        assertThatIllegalArgumentException().isThrownBy(() -> new BlobLocation(path));
    }

    @Test
    void idsAreOneToSixtyFourSafeCharacters() {
        assertThat(new BlobLocation("r/a/b/c/" + LONGEST_ID).path()).endsWith(LONGEST_ID);
        assertThatIllegalArgumentException().isThrownBy(() -> new BlobLocation("r/a/b/c/" + LONGEST_ID + "a"));
        assertThat(BlobLocation.of(LONGEST_ID, "b", "v").path()).isEqualTo("t/" + LONGEST_ID + "/b/v");
        assertThatIllegalArgumentException().isThrownBy(() -> BlobLocation.of(LONGEST_ID + "a", "b", "v"));
        assertThatIllegalArgumentException().isThrownBy(() -> BlobLocation.of("t", "", "v"));
        assertThatIllegalArgumentException().isThrownBy(() -> BlobLocation.rendition("t", "b", "v", "../x"));
        assertThatIllegalArgumentException().isThrownBy(() -> new BlobLocation(null));
    }
}
