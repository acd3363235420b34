package io.granary.image;

import io.granary.object.FoundObject;
import io.granary.object.ObjectHeaders;
import io.netty.handler.codec.DateFormatter;
import java.util.Date;
import java.util.List;
import org.springframework.http.HttpHeaders;

/** The headers of a rendition's GET or HEAD answer, the same from the full and the hot read path. */
final class RenditionHeaders {

    private RenditionHeaders() {
    }

    /**
     * @param cacheControl the {@code Cache-Control} to send, or {@code null} for none
     * @param downloadName the file name of a {@code Content-Disposition: attachment}, or {@code null}
     */
    static void describe(HttpHeaders headers, FoundObject found, StoredRendition rendition, RenditionSpec spec,
                         String cacheControl, String downloadName) {
        headers.set(HttpHeaders.CONTENT_TYPE, rendition.contentType());
        headers.setETag("\"" + RenditionService.etag(found.object(), spec) + "\"");
        headers.set(HttpHeaders.LAST_MODIFIED, DateFormatter.format(Date.from(found.object().lastModified())));
        headers.set("X-Content-Type-Options", "nosniff");
        headers.set("X-Version-Id", found.object().versionId());
        if (cacheControl != null) {
            headers.set(HttpHeaders.CACHE_CONTROL, cacheControl);
        }
        if (spec.variesByAccept()) {
            headers.setVary(List.of(HttpHeaders.ACCEPT));
        }
        ObjectHeaders.attachment(headers, downloadName);
    }
}
