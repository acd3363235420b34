package io.granary.cache;

import java.util.Base64;
import tools.jackson.databind.json.JsonMapper;

/**
 * How a cache turns values into the strings Redis keeps, and how much room a value takes in the
 * node's memory. JSON for records (compact, readable with {@code redis-cli}, no Java
 * serialization), base64 for bytes.
 */
public interface CacheCodec<V> {

    String encode(V value);

    V decode(String encoded);

    /** Roughly how many bytes the value occupies in memory, for the size-bounded local tier. */
    int weigh(V value);

    /** Records and other Jackson-readable values, as JSON. */
    static <V> CacheCodec<V> json(JsonMapper json, Class<V> type) {
        return new CacheCodec<>() {
            @Override
            public String encode(V value) {
                return json.writeValueAsString(value);
            }

            @Override
            public V decode(String encoded) {
                return json.readValue(encoded, type);
            }

            @Override
            public int weigh(V value) {
                // Metadata records are small and alike; their JSON length is a fair measure.
                return 64 + encode(value).length() * 2;
            }
        };
    }

    /** Byte arrays, base64 in Redis. */
    static CacheCodec<byte[]> bytes() {
        return new CacheCodec<>() {
            @Override
            public String encode(byte[] value) {
                return Base64.getEncoder().encodeToString(value);
            }

            @Override
            public byte[] decode(String encoded) {
                return Base64.getDecoder().decode(encoded);
            }

            @Override
            public int weigh(byte[] value) {
                return 32 + value.length;
            }
        };
    }
}
