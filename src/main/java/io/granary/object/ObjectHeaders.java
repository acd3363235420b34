package io.granary.object;

import io.netty.handler.codec.DateFormatter;
import java.nio.charset.StandardCharsets;
import java.util.Date;
import org.springframework.http.ContentDisposition;
import org.springframework.http.HttpHeaders;

/** The headers that describe an object in a GET or HEAD answer, the same from every front-end. */
public final class ObjectHeaders {

    private static final String CONTENT_SECURITY_POLICY = "Content-Security-Policy";

    private ObjectHeaders() {
    }

    /**
     * Whether a browser could run script from content of this type: anything but raster images,
     * audio, video and PDF (whose viewer does not run in the page's origin, and which Chromium
     * refuses to show in a sandbox). Unknown and text types count as active: nothing is lost by
     * sandboxing a document that runs no script.
     */
    static boolean active(String contentType) {
        if (contentType == null) {
            return true;
        }
        boolean passive = (startsWith(contentType, "image/") && !startsWith(contentType, "image/svg"))
                || startsWith(contentType, "audio/") || startsWith(contentType, "video/")
                || startsWith(contentType, "application/pdf");
        return !passive;
    }

    /** Case-insensitive, without the copy a lower-cased type costs on every answer. */
    private static boolean startsWith(String type, String prefix) {
        return type.regionMatches(true, 0, prefix, 0, prefix.length());
    }

    /**
     * @param cacheControl the {@code Cache-Control} to send, or {@code null} for none
     * @param downloadName the file name of a {@code Content-Disposition: attachment}, or {@code null}
     */
    static void describe(HttpHeaders headers, StoredObject object, String cacheControl, String downloadName) {
        describe(headers, object, cacheControl, downloadName, UserMetadata.HEADER_PREFIX);
    }

    /** As the REST API's, with user metadata under {@code metadataPrefix} ({@code x-amz-meta-} for S3). */
    public static void describe(HttpHeaders headers, StoredObject object, String cacheControl, String downloadName,
                                String metadataPrefix) {
        headers.set(HttpHeaders.CONTENT_TYPE, object.contentType());
        headers.setETag(object.quotedEtag());
        // Netty's formatter (RFC 1123, GMT, a reused buffer per thread): Spring's setLastModified
        // builds a ZonedDateTime and runs a DateTimeFormatter on every answer.
        headers.set(HttpHeaders.LAST_MODIFIED, DateFormatter.format(Date.from(object.lastModified())));
        headers.set(HttpHeaders.ACCEPT_RANGES, "bytes");
        // Stored bytes are served as their declared type, never as what a browser guesses.
        headers.set("X-Content-Type-Options", "nosniff");
        if (active(object.contentType())) {
            // Opened in a browser, the document gets an opaque origin and runs no script: stored
            // HTML or SVG can never act as Granary's own pages (the dashboard shares the origin).
            headers.set(CONTENT_SECURITY_POLICY, "sandbox");
        }
        headers.set("X-Version-Id", object.versionId());
        if (cacheControl != null) {
            headers.set(HttpHeaders.CACHE_CONTROL, cacheControl);
        }
        object.metadata().forEach((name, value) -> headers.add(metadataPrefix + name, value));
        attachment(headers, downloadName);
    }

    /** {@code Content-Disposition: attachment} with this file name (UTF-8 safe); nothing for {@code null}. */
    public static void attachment(HttpHeaders headers, String downloadName) {
        if (downloadName != null) {
            headers.set(HttpHeaders.CONTENT_DISPOSITION,
                    ContentDisposition.attachment().filename(downloadName, StandardCharsets.UTF_8).build().toString());
        }
    }
}
