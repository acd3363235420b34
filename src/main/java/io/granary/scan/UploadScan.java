package io.granary.scan;

import org.springframework.core.io.buffer.DataBuffer;
import reactor.core.publisher.Flux;

/**
 * An upload waiting for the scanner's verdict: complete and verified, not yet visible.
 *
 * @param bytes the stored bytes, read from the store only when subscribed (at most once); the
 *     scanner must release every buffer it receives
 */
public record UploadScan(String tenantId, String bucket, String key, String contentType, long size,
                         Flux<DataBuffer> bytes) {
}
