package io.granary.scan;

import reactor.core.publisher.Mono;

/**
 * A hook that inspects every upload (and copy) after its bytes are stored and verified and
 * before it becomes visible, e.g. a malware scanner. Completing empty accepts the upload;
 * failing rejects it: the bytes are discarded and the client gets the failure, a
 * {@code GranaryException} as it is ({@code content_rejected} is meant for verdicts), anything
 * else as a server error. Without a bean of this type, {@link #ACCEPT_ALL} applies; define
 * one to plug a scanner in.
 */
public interface UploadScanner {

    /** The default: accepts everything without reading a byte. */
    UploadScanner ACCEPT_ALL = upload -> Mono.empty();

    Mono<Void> scan(UploadScan upload);
}
