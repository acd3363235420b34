package io.granary.web;

/**
 * Told of every request a tenant's caller made to a bucket, on any front-end (the REST API, its
 * hot read path, {@code /public}, the S3 API), once the response has ended, sent whole or cut
 * off, with what the connection actually sent: this is what the usage history counts requests
 * and downloads from ({@code io.granary.usage}). The access log's {@link AccessRecord} knows the
 * caller, the status and the bytes of every request, whichever path answered it, so it is the
 * one place that sees them all.
 *
 * <p>Called on the connection's event loop for every such request: an implementation must not
 * block, must not fail, and should cost next to nothing (no I/O, no allocation per call).
 */
@FunctionalInterface
public interface BucketTraffic {

    /** Counts nothing: for servers built without a usage history. */
    BucketTraffic NONE = (tenantId, bucket, downloaded) -> { };

    /**
     * One request of a caller of tenant {@code tenantId} to that tenant's bucket {@code bucket}
     * (the name as the request gave it: it may name no bucket at all) has ended.
     *
     * @param downloaded the response body bytes sent, for a {@code GET} of an object answered
     *     with {@code 200} or {@code 206}; 0 for any other request
     */
    void request(String tenantId, String bucket, long downloaded);
}
