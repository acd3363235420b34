package io.granary.storage;

import java.net.URI;
import java.util.Map;

/**
 * A URL at which a client uploads one blob straight into the store, without Granary in the
 * path. The client sends {@code PUT} to {@link #url} with exactly the {@link #headers} given
 * (they are part of the signature) and a body of the length that was signed.
 *
 * @param url where to send the bytes; it carries the signature and its expiry
 * @param headers header names and values the request must carry, e.g. {@code Content-Type}
 *     and {@code Content-Length}
 */
public record PresignedPut(URI url, Map<String, String> headers) {

    public PresignedPut {
        headers = Map.copyOf(headers);
    }
}
