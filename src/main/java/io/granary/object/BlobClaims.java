package io.granary.object;

import reactor.core.publisher.Mono;

/**
 * Blobs that no object record points at yet but that are spoken for, such as the bytes an
 * open upload intent has received: {@link OrphanBlobSweeper} leaves them alone, whatever their
 * age. Implementations answer from their own records (one query per blob the sweeper
 * considers: old enough and pointed at by no record).
 */
public interface BlobClaims {

    /** Whether the blob at this store path is spoken for. */
    Mono<Boolean> claims(String blobPath);
}
