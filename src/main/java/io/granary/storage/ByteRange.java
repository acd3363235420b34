package io.granary.storage;

/**
 * An inclusive, already-resolved byte range within a blob of known size.
 *
 * @param first offset of the first byte
 * @param last offset of the last byte, {@code >= first}
 */
public record ByteRange(long first, long last) {

    public ByteRange {
        if (first < 0 || last < first) {
            throw new IllegalArgumentException("bad range " + first + "-" + last);
        }
    }

    public long length() {
        return last - first + 1;
    }
}
