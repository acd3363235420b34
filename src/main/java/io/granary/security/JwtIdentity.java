package io.granary.security;

/**
 * The person behind a validated JWT.
 *
 * @param issuer the token's {@code iss}
 * @param subject the token's {@code sub}
 * @param userId the dashboard user's id when the embedded issuer signed the token, else {@code null}
 * @param sessionId the embedded issuer's session the token was issued in (its {@code sid}), else
 *     {@code null}: tokens of other issuers, and embedded ones issued before sessions were named
 */
public record JwtIdentity(String issuer, String subject, String userId, String sessionId) {

    /** Marks a signed URL's issuing credential as a dashboard user rather than an API key. */
    public static final String USER_CREDENTIAL_PREFIX = "user:";

    /** The audit actor: {@code user:<id>} for dashboard users, {@code jwt:<sub>@<iss>} otherwise. */
    public String actor() {
        return userId != null ? "user:" + userId : "jwt:" + subject + "@" + issuer;
    }
}
