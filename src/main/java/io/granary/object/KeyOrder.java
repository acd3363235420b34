package io.granary.object;

/** Helpers for ranges over keys in their sort order. */
public final class KeyOrder {

    private KeyOrder() {
    }

    /**
     * The smallest string greater than every string starting with {@code prefix}, or
     * {@code null} when there is none (empty prefix, or one made only of U+10FFFF). Works on
     * code points, so the bound is a valid string that sorts the same in UTF-8 (MongoDB's
     * order) and UTF-16.
     */
    public static String successor(String prefix) {
        int end = prefix.length();
        while (end > 0) {
            int last = prefix.codePointBefore(end);
            int start = end - Character.charCount(last);
            if (last < Character.MAX_CODE_POINT) {
                int next = last + 1;
                if (next >= Character.MIN_SURROGATE && next <= Character.MAX_SURROGATE) {
                    next = Character.MAX_SURROGATE + 1; // surrogates are not characters: skip them
                }
                return prefix.substring(0, start) + new String(Character.toChars(next));
            }
            end = start; // U+10FFFF cannot grow: carry into the previous code point
        }
        return null;
    }
}
