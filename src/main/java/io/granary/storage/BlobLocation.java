package io.granary.storage;

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

    private static final int MAX_ID = 64;

    public BlobLocation {
        if (!isPath(path)) {
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
        if (id == null || idEnd(id, 0) != id.length()) {
            throw new IllegalArgumentException("not an id: " + id);
        }
    }

    /**
     * Whether {@code path} is {@code t/} and three ids or {@code r/} and four, separated by
     * {@code /}. Checked by hand, not by a regular expression: a location is built on every read
     * of an object, and the pattern cost a tenth of a cached read's time.
     */
    private static boolean isPath(String path) {
        if (path == null) {
            return false;
        }
        int ids = path.startsWith(ROOT) ? 3 : path.startsWith(RENDITIONS_ROOT) ? 4 : 0;
        int at = 2;
        for (int i = 0; i < ids; i++) {
            int end = idEnd(path, at);
            if (end < 0 || end != (i == ids - 1 ? path.length() : path.indexOf('/', at))) {
                return false;
            }
            at = end + 1;
        }
        return ids > 0;
    }

    /** Where the id starting at {@code from} ends (1-64 of {@code A-Za-z0-9_-}), or -1 when none starts there. */
    private static int idEnd(String text, int from) {
        int at = from;
        while (at < text.length() && at - from <= MAX_ID && isIdChar(text.charAt(at))) {
            at++;
        }
        return at == from || at - from > MAX_ID ? -1 : at;
    }

    private static boolean isIdChar(char c) {
        return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-';
    }

    @Override
    public String toString() {
        return path;
    }
}
