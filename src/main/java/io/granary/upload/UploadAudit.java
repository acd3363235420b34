package io.granary.upload;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The details of an {@code upload_created} audit event, the same for every kind of upload:
 * {@code uploadId}, {@code kind} ({@value #INTENT}, {@value #MULTIPART} or {@value #TUS}),
 * {@code expiresAt} (when it ends if not completed) and, when declared, {@code size}.
 */
final class UploadAudit {

    static final String INTENT = "intent";
    static final String MULTIPART = "multipart";
    static final String TUS = "tus";

    private UploadAudit() {
    }

    /** @param size the declared size in bytes, or {@code null} when none was (multipart, deferred tus) */
    static Map<String, String> details(String uploadId, String kind, Long size, Instant expiresAt) {
        Map<String, String> details = new LinkedHashMap<>();
        details.put("uploadId", uploadId);
        details.put("kind", kind);
        if (size != null) {
            details.put("size", Long.toString(size));
        }
        details.put("expiresAt", expiresAt.toString());
        return details;
    }
}
