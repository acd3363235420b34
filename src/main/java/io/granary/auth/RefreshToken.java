package io.granary.auth;

import java.time.Instant;
import org.springframework.data.annotation.Id;
import org.springframework.data.mongodb.core.mapping.Document;

/**
 * A refresh token as stored: only its SHA-256 digest (the id). Each use replaces it by a new
 * token of the same family; a token used twice means it leaked, and ends the family.
 *
 * @param familyId shared by all tokens descending from one login
 * @param sessionVersion the user's session version at login: a change of the user ends the session
 * @param usedAt when it was exchanged, {@code null} while unused
 * @param startedAt when the family's login happened, copied to each token of the family; {@code null}
 *     in tokens stored before sessions were listed
 * @param opening how the session was opened, and by which client ({@code null} likewise)
 */
@Document("refresh_tokens")
record RefreshToken(@Id String digest, String userId, String tenantId, String familyId, long sessionVersion,
                    Instant createdAt, Instant expiresAt, Instant usedAt,
                    Instant startedAt, SessionOpening opening) {
}
