package io.granary.storage;

/**
 * One part of a multipart upload as the store holds it.
 *
 * @param number the part number, 1 to 10,000
 * @param etag hex MD5 of the part's bytes, unquoted
 * @param size its length in bytes
 * @param handle what the adapter needs to find this very write of the part again (the
 *     filesystem adapter's file name), or {@code null} where the store itself tracks parts
 */
public record StoredPart(int number, String etag, long size, String handle) {
}
