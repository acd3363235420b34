package io.granary.storage;

import io.granary.checksum.Checksum;

/**
 * One part of a multipart upload as the store holds it.
 *
 * @param number the part number, 1 to 10,000
 * @param etag hex MD5 of the part's bytes, unquoted
 * @param size its length in bytes
 * @param handle what the adapter needs to find this very write of the part again (the
 *     filesystem adapter's file name), or {@code null} where the store itself tracks parts
 * @param checksum the part's checksum in its upload's algorithm, where the upload has one and
 *     Granary saw the bytes; {@code null} otherwise (stores never know it)
 */
public record StoredPart(int number, String etag, long size, String handle, Checksum checksum) {

    /** A part as a store reports it: without a checksum. */
    public StoredPart(int number, String etag, long size, String handle) {
        this(number, etag, size, handle, null);
    }

    /** This part with {@code newChecksum}. */
    public StoredPart withChecksum(Checksum newChecksum) {
        return new StoredPart(number, etag, size, handle, newChecksum);
    }
}
