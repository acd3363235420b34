package io.granary.security;

/**
 * Keeps secrets that must stay recoverable (an S3 credential's secret: a SigV4 signature is
 * checked by computing it again, so the secret cannot be hashed) encrypted at rest under
 * Granary's master key, with AES-256-GCM.
 *
 * <p>Contract: {@code open(seal(secret, context), context)} returns {@code secret}. A sealed
 * value names the key it was sealed under; {@link #seal} always uses the current master key,
 * {@link #open} accepts the current and every previous key configured, which is what makes a
 * rotation possible without downtime ({@link #isCurrent} tells which values to seal again).
 * The context (for instance the access key id) is authenticated with the value: a sealed value
 * copied onto another record, altered, or sealed under a key this node does not hold fails to
 * open with an {@link IllegalStateException} that names the key id, never the secret.
 */
public interface SecretSealer {

    String seal(String secret, String context);

    String open(String sealed, String context);

    /** Whether {@code sealed} was sealed under the current master key. */
    boolean isCurrent(String sealed);
}
