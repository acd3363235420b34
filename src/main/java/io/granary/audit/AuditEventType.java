package io.granary.audit;

import java.util.Locale;

/** The security-relevant events Granary records. */
public enum AuditEventType {
    TENANT_CREATED, TENANT_DELETED,
    KEY_CREATED, KEY_REVOKED,
    S3_CREDENTIAL_CREATED, S3_CREDENTIAL_REVOKED,
    BUCKET_CREATED, BUCKET_DELETED, BUCKET_VISIBILITY_CHANGED, BUCKET_CORS_CHANGED, BUCKET_PRESETS_CHANGED,
    BUCKET_LIFECYCLE_CHANGED,
    /**
     * The lifecycle job applied one rule of a bucket: {@code deleted} objects and {@code aborted}
     * uploads in the details (recorded only when it removed something).
     */
    LIFECYCLE_APPLIED,
    SIGNED_URL_ISSUED, SIGNING_KEY_ROTATED, SIGNING_KEY_RETIRED,
    LOGIN, LOGIN_FAILED, LOGOUT,
    /** A refresh token was presented a second time: its whole family of tokens is revoked. */
    REFRESH_TOKEN_REUSED,
    USER_CREATED, USER_UPDATED, USER_DELETED,
    ISSUER_REGISTERED, ISSUER_REMOVED,
    /**
     * An upload was begun: an upload intent (a URL that uploads one object's bytes was handed
     * out), a multipart upload or a tus upload; {@code kind} in the details says which.
     */
    UPLOAD_CREATED,
    /** Many requests refused (401/403) for one subject within one minute. */
    DENIED_BURST;

    /** The lowercase wire name, e.g. {@code key_created}. */
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The type of a wire name, or {@code null} when there is none. */
    public static AuditEventType fromWireName(String value) {
        for (AuditEventType type : values()) {
            if (type.wireName().equals(value)) {
                return type;
            }
        }
        return null;
    }
}
