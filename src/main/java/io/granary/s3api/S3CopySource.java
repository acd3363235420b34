package io.granary.s3api;

import io.granary.error.ErrorCode;
import io.granary.error.GranaryException;
import io.granary.object.FoundObject;
import io.granary.object.ObjectHttp;
import io.granary.object.ObjectService;
import io.granary.object.StoredObject;
import io.granary.security.Principal;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.springframework.http.HttpHeaders;
import org.springframework.web.util.UriUtils;
import reactor.core.publisher.Mono;

/**
 * What CopyObject and UploadPartCopy share about their source: the {@code x-amz-copy-source}
 * header and the {@code x-amz-copy-source-if-*} conditions on the source's current version.
 */
final class S3CopySource {

    private S3CopySource() {
    }

    /** {@code /bucket/key} or {@code bucket/key}, percent-encoded; a version id may follow, and must be the current one's. */
    static S3Path parse(String header) {
        String value = header.strip();
        String version = null;
        int question = value.indexOf('?');
        if (question >= 0) {
            String query = value.substring(question + 1);
            value = value.substring(0, question);
            if (query.startsWith("versionId=")) {
                version = UriUtils.decode(query.substring("versionId=".length()), StandardCharsets.UTF_8);
            }
        }
        S3Path path = S3Path.parse(value.startsWith("/") ? value : "/" + value);
        if (path.key() == null) {
            throw new GranaryException(ErrorCode.INVALID_REQUEST, "x-amz-copy-source must name a bucket and a key.");
        }
        if (version != null && !version.equals("null")) {
            throw new GranaryException(ErrorCode.NOT_IMPLEMENTED, "Copying a version by id is not supported (versioning is off).");
        }
        return path;
    }

    /**
     * The source object the request's {@code x-amz-copy-source} names, read with the caller's
     * {@code read} permission, once its {@code x-amz-copy-source-if-*} conditions held.
     */
    static Mono<StoredObject> read(ObjectService objects, Principal principal, S3Path source, HttpHeaders headers) {
        return objects.stat(principal, source.bucket(), source.key())
                .map(FoundObject::object)
                .doOnNext(found -> requireConditions(headers, found));
    }

    /** The {@code x-amz-copy-source-if-*} conditions, as S3 applies them to the source. */
    private static void requireConditions(HttpHeaders headers, StoredObject source) {
        List<String> ifMatch = headers.get("x-amz-copy-source-if-match");
        List<String> ifNoneMatch = headers.get("x-amz-copy-source-if-none-match");
        long modifiedSince = date(headers, "x-amz-copy-source-if-modified-since");
        long unmodifiedSince = date(headers, "x-amz-copy-source-if-unmodified-since");
        long modified = source.lastModified().getEpochSecond();
        boolean holds;
        if (ifMatch != null) {
            // S3: a matching If-Match wins over a failing If-Unmodified-Since.
            holds = ObjectHttp.tagsMatch(ifMatch, "x-amz-copy-source-if-match", source);
        } else {
            holds = unmodifiedSince < 0 || modified <= unmodifiedSince;
        }
        if (holds && ifNoneMatch != null) {
            holds = !ObjectHttp.tagsMatch(ifNoneMatch, "x-amz-copy-source-if-none-match", source);
        } else if (holds && modifiedSince >= 0) {
            holds = modified > modifiedSince;
        }
        if (!holds) {
            throw new GranaryException(ErrorCode.PRECONDITION_FAILED, "At least one of the pre-conditions you specified did not hold.");
        }
    }

    private static long date(HttpHeaders headers, String name) {
        String value = headers.getFirst(name);
        if (value == null) {
            return -1;
        }
        try {
            return java.time.ZonedDateTime.parse(value, java.time.format.DateTimeFormatter.RFC_1123_DATE_TIME).toEpochSecond();
        } catch (java.time.format.DateTimeParseException e) {
            throw new GranaryException(ErrorCode.INVALID_REQUEST, name + " must be an HTTP date.");
        }
    }
}
