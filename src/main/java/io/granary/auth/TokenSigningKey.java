package io.granary.auth;

import java.time.Instant;
import org.springframework.data.annotation.Id;
import org.springframework.data.mongodb.core.mapping.Document;

/**
 * An RSA key pair of the embedded issuer, DER-encoded (X.509 public, PKCS#8 private) in base64.
 * The newest key signs; every stored key verifies, so tokens outlive a rotation.
 */
@Document("token_signing_keys")
record TokenSigningKey(@Id String kid, String publicKey, String privateKey, Instant createdAt) {
}
