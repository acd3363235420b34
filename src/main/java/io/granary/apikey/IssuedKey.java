package io.granary.apikey;

/**
 * A freshly created key together with its one-time secret.
 *
 * @param secret the full credential, {@code grk_<id>_<random>}; never retrievable again
 */
public record IssuedKey(ApiKey key, String secret) {
}
