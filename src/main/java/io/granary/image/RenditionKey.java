package io.granary.image;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.granary.object.StoredObject;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * What identifies a rendition: the object version and the canonical parameter set, hashed so
 * that record ids, blob names and entity tags are built from ids and digests only, never from
 * a client's text.
 */
record RenditionKey(String versionId, String hash) {

    /**
     * Digests of parameter sets: the same few are asked for on every read of a kept rendition, and
     * writing the canonical text and hashing it cost more than the rest of the lookup.
     */
    private static final Cache<RenditionSpec, String> HASHES = Caffeine.newBuilder().maximumSize(1_000).build();

    static RenditionKey of(StoredObject version, RenditionSpec spec) {
        return new RenditionKey(version.versionId(), HASHES.get(spec, asked -> hash(asked.canonical())));
    }

    private static String hash(String canonical) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(canonical.getBytes(StandardCharsets.UTF_8));
            // 128 bits: ids stay short enough for a blob name, collisions stay out of reach.
            return HexFormat.of().formatHex(digest, 0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }

    /** The record's id. */
    String id() {
        return versionId + "-" + hash;
    }

    /**
     * The entity tag of the rendition: the same version and parameters always give the same
     * bytes' tag, without the rendition having to exist (a 304 decodes nothing).
     */
    String etag() {
        return "r-" + versionId + "-" + hash;
    }
}
