package io.granary.storage;

import java.util.regex.Pattern;

/**
 * The physical address of one immutable blob in a {@link BlobStore}. It is built only from
 * server-generated ids (tenant id, bucket id, version id), never from user input, so no key a
 * client chooses can escape its tenant or collide with another object's bytes.
 *
 * @param path the store-relative path: {@code t/<tenantId>/<bucketId>/<versionId>} for an
 *     object's version, {@code r/<tenantId>/<bucketId>/<versionId>/<name>} for a rendition of one
 */
public record BlobLocation(String path) {

    /** Prefix under which every object blob lives; the sweeper walks it. */
    public static final String ROOT = "t/";
    /** Prefix under which every rendition blob lives, apart from the objects' (their sweeper's). */
    public static final String RENDITIONS_ROOT = "r/";

    private static final Pattern ID = Pattern.compile("[A-Za-z0-9_-]{1,64}");
    private static final Pattern PATH = Pattern.compile(
            "t/[A-Za-z0-9_-]{1,64}/[A-Za-z0-9_-]{1,64}/[A-Za-z0-9_-]{1,64}"
            + "|r/[A-Za-z0-9_-]{1,64}/[A-Za-z0-9_-]{1,64}/[A-Za-z0-9_-]{1,64}/[A-Za-z0-9_-]{1,64}");

    public BlobLocation {
        if (path == null || !PATH.matcher(path).matches()) {
            throw new IllegalArgumentException("not a blob path: " + path);
        }
    }

    /** The location of one version of an object. */
    public static BlobLocation of(String tenantId, String bucketId, String versionId) {
        requireId(tenantId);
        requireId(bucketId);
        requireId(versionId);
        return new BlobLocation(ROOT + tenantId + "/" + bucketId + "/" + versionId);
    }

    /**
     * The location of a rendition of one version, {@code name} being an id Granary derived (a
     * hash of the canonical parameters), never a client's text.
     */
    public static BlobLocation rendition(String tenantId, String bucketId, String versionId, String name) {
        requireId(tenantId);
        requireId(bucketId);
        requireId(versionId);
        requireId(name);
        return new BlobLocation(RENDITIONS_ROOT + tenantId + "/" + bucketId + "/" + versionId + "/" + name);
    }

    /** The prefix shared by every rendition of one version. */
    public static String renditionsPrefix(String tenantId, String bucketId, String versionId) {
        requireId(tenantId);
        requireId(bucketId);
        requireId(versionId);
        return RENDITIONS_ROOT + tenantId + "/" + bucketId + "/" + versionId + "/";
    }

    /** The prefix shared by every blob of one bucket. */
    public static String bucketPrefix(String tenantId, String bucketId) {
        requireId(tenantId);
        requireId(bucketId);
        return ROOT + tenantId + "/" + bucketId + "/";
    }

    private static void requireId(String id) {
        if (id == null || !ID.matcher(id).matches()) {
            throw new IllegalArgumentException("not an id: " + id);
        }
    }

    @Override
    public String toString() {
        return path;
    }
}
