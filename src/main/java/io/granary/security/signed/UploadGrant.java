package io.granary.security.signed;

import io.granary.security.Permission;
import io.granary.security.Principal;

/**
 * What the token of an upload intent's Granary URL allows: sending the bytes of one intent,
 * exactly {@code size} bytes declared as {@code contentType}, into one key of one bucket.
 *
 * @param tenantId the intent's tenant
 * @param bucketId the intent's bucket
 * @param key the object key the intent will create
 * @param uploadId the intent
 * @param contentType the media type the bytes must be sent as
 * @param size the exact number of bytes to send
 */
public record UploadGrant(String tenantId, String bucketId, String key, String uploadId, String contentType, long size) {

    /**
     * The caller as a signed-URL principal (one upload of one object), for what applies to
     * every caller: rate limits and the counting of refusals.
     */
    public Principal.Grant principal() {
        return new Principal.Grant(tenantId, bucketId, key, Permission.WRITE, contentType, size, null, null);
    }
}
