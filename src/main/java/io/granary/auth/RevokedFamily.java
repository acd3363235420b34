package io.granary.auth;

import java.time.Instant;
import org.springframework.data.annotation.Id;
import org.springframework.data.mongodb.core.mapping.Document;

/**
 * A session (family of refresh tokens) that was ended. Kept beside the deleted tokens so that a
 * refresh already under way when the session ended cannot leave a live token behind: it checks
 * for this marker after storing its new token.
 */
@Document("refresh_token_revocations")
record RevokedFamily(@Id String familyId, Instant revokedAt) {
}
