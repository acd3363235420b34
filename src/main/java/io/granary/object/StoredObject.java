package io.granary.object;

import io.granary.storage.BlobLocation;
import java.time.Instant;
import java.util.Map;
import org.springframework.data.annotation.Id;
import org.springframework.data.mongodb.core.mapping.Document;

/**
 * The catalogue record of one object: the current version of a key in a bucket. The record
 * is the single source of truth for visibility: bytes at {@link #blob} exist before the record
 * points at them and are deleted only after it stops doing so.
 *
 * @param etag hex MD5 of the bytes (unquoted)
 * @param sha256 hex SHA-256 of the bytes
 * @param metadata user metadata, lowercase names without the {@code x-meta-} prefix
 * @param versionId id of this version; also the last segment of {@link #blob}
 * @param blob store path of the bytes
 */
@Document("objects")
public record StoredObject(
        @Id String id,
        String tenantId,
        String bucketId,
        String key,
        long size,
        String etag,
        String sha256,
        String contentType,
        String cacheControl,
        Map<String, String> metadata,
        String versionId,
        String blob,
        Instant lastModified) {

    public BlobLocation location() {
        return new BlobLocation(blob);
    }

    /** The ETag as sent in headers: the quoted hex MD5. */
    public String quotedEtag() {
        return "\"" + etag + "\"";
    }
}
