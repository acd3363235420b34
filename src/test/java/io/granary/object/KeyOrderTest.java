package io.granary.object;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class KeyOrderTest {

    @Test
    void successorIsTheFirstStringPastEveryExtension() {
        assertThat(KeyOrder.successor("photos/")).isEqualTo("photos0");
        assertThat(KeyOrder.successor("a")).isEqualTo("b");
        assertThat(KeyOrder.successor("")).isNull();
    }

    @Test
    void successorWorksOnCodePointsNotUtf16Units() {
        String tone = new String(Character.toChars(0x1F3FF)); // a surrogate pair
        String next = KeyOrder.successor("x" + tone);
        assertThat(next).isEqualTo("x" + new String(Character.toChars(0x1F400)));
        assertThat(next.compareTo("x" + tone + "anything")).isPositive();
        // U+D7FF is followed by U+E000: surrogates are skipped.
        assertThat(KeyOrder.successor("a\uD7FF")).isEqualTo("a\uE000");
        // U+FFFF is followed by U+10000, not dropped.
        assertThat(KeyOrder.successor("a\uFFFF")).isEqualTo("a" + new String(Character.toChars(0x10000)));
        // The last code point carries into the previous one.
        String max = new String(Character.toChars(Character.MAX_CODE_POINT));
        assertThat(KeyOrder.successor("a" + max)).isEqualTo("b");
        assertThat(KeyOrder.successor(max)).isNull();
    }
}
