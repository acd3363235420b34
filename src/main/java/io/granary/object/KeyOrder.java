package io.granary.object;

/** Helpers for ranges over keys in their sort order. */
final class KeyOrder {

    private KeyOrder() {
    }

    /**
     * The smallest string greater than every string starting with {@code prefix}, or
     * {@code null} when there is none (empty prefix, or one ending in U+FFFF).
     */
    static String successor(String prefix) {
        if (prefix.isEmpty()) {
            return null;
        }
        char last = prefix.charAt(prefix.length() - 1);
        if (last == Character.MAX_VALUE) {
            return null;
        }
        return prefix.substring(0, prefix.length() - 1) + (char) (last + 1);
    }
}
