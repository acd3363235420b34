package io.granary.object;

import java.util.Map;
import java.util.function.Supplier;

/**
 * What a client said about an upload, besides its bytes.
 *
 * @param contentType media type, or {@code null} for {@code application/octet-stream}
 * @param contentLength declared length, or {@code null} when the body is chunked
 * @param cacheControl {@code Cache-Control} to serve the object with, or {@code null}
 * @param metadata user metadata (names without the {@code X-Meta-} prefix)
 * @param tags the new version's tags; {@code null} or empty for none (a new version never
 *     inherits the tags of the one it replaces)
 * @param digests declared checksums to verify
 * @param condition precondition for making the new version visible
 * @param checksum the whole body's checksum the front-end verified, read once the body has
 *     ended; {@code null}, or giving {@code null}, when none was sent
 */
public record PutRequest(
        String contentType,
        Long contentLength,
        String cacheControl,
        Map<String, String> metadata,
        Map<String, String> tags,
        ExpectedDigests digests,
        WriteCondition condition,
        Supplier<ObjectChecksum> checksum) {
}
