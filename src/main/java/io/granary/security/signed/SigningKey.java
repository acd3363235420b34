package io.granary.security.signed;

import com.fasterxml.jackson.annotation.JsonIgnore;
import java.time.Instant;
import org.springframework.data.annotation.Id;
import org.springframework.data.mongodb.core.mapping.Document;

/**
 * A secret that signs URLs. The newest key signs; every stored key verifies, so a rotation
 * keeps issued URLs working until the old key is retired, which revokes them at once.
 *
 * @param kid the key id carried in each token
 * @param secret 32 random bytes, base64url; never leaves the server
 */
@Document("signing_keys")
public record SigningKey(@Id String kid, @JsonIgnore String secret, Instant createdAt) {
}
