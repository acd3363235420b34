package io.granary.upload;

import java.net.URI;
import java.time.Instant;
import java.util.Map;

/** A presigned URL for one part: {@code PUT} to {@code url} with {@code headers}, until {@code expiresAt}. */
public record PartUrl(int n, URI url, Map<String, String> headers, Instant expiresAt) {
}
