package io.granary.s3api;

import io.granary.error.ErrorCode;
import io.granary.error.GranaryException;
import io.granary.object.FoundObject;
import io.granary.object.ObjectHttp;
import io.granary.object.ObjectService;
import io.granary.object.StoredObject;
import io.granary.security.Principal;
import io.granary.web.Requests;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;
import org.springframework.web.util.UriUtils;
import reactor.core.publisher.Mono;

/**
 * CopyObject ({@code PUT} with {@code x-amz-copy-source}), on the object service's server-side
 * copy: within a bucket or between buckets of the tenant, with the {@code x-amz-copy-source-if-*}
 * conditions checked against the source. {@code x-amz-metadata-directive: REPLACE} takes the
 * content type, cache control and user metadata from the request; a copy of an object onto
 * itself with it changes only its metadata (the bytes are not copied).
 */
final class S3CopyObject {

    private final ObjectService objects;

    S3CopyObject(ObjectService objects) {
        this.objects = objects;
    }

    Mono<ServerResponse> copy(ServerRequest request, S3Path target) {
        HttpHeaders headers = request.headers().asHttpHeaders();
        S3Path source = source(headers.getFirst("x-amz-copy-source"));
        String directive = headers.getFirst("x-amz-metadata-directive");
        boolean replace = directive != null && directive.equalsIgnoreCase("REPLACE");
        if (directive != null && !replace && !directive.equalsIgnoreCase("COPY")) {
            throw new GranaryException(ErrorCode.INVALID_REQUEST, "x-amz-metadata-directive must be COPY or REPLACE.");
        }
        boolean onto = source.equals(target);
        if (onto && !replace) {
            throw new GranaryException(ErrorCode.INVALID_REQUEST, "This copy request is illegal because it is trying to copy an"
                    + " object to itself without changing the object's metadata.");
        }
        Principal principal = Requests.principal(request);
        return objects.stat(principal, source.bucket(), source.key())
                .map(FoundObject::object)
                .doOnNext(found -> requireSource(headers, found))
                .flatMap(found -> onto ? Mono.just(found)
                        : objects.copy(principal, source.bucket(), source.key(), target.bucket(), target.key()))
                .flatMap(copied -> replace
                        ? objects.updateMetadata(principal, target.bucket(), target.key(), replacement(headers)) : Mono.just(copied))
                .flatMap(copied -> ServerResponse.ok().contentType(MediaType.APPLICATION_XML)
                        .bodyValue(S3Xml.document("CopyObjectResult")
                                .element("LastModified", S3ListOperations.TIMESTAMP.format(copied.lastModified()))
                                .element("ETag", copied.quotedEtag()).end("CopyObjectResult")));
    }

    /** {@code /bucket/key} or {@code bucket/key}, percent-encoded; a version id may follow, and must be the current one's. */
    private static S3Path source(String header) {
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

    /** The {@code x-amz-copy-source-if-*} conditions, as S3 applies them to the source. */
    private static void requireSource(HttpHeaders headers, StoredObject source) {
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

    /** The attributes a REPLACE copy takes from the request, as a metadata patch. */
    private static Map<String, Object> replacement(HttpHeaders headers) {
        Map<String, Object> patch = new LinkedHashMap<>();
        String type = headers.getFirst(HttpHeaders.CONTENT_TYPE);
        if (type != null) {
            patch.put("contentType", type);
        }
        patch.put("cacheControl", headers.getFirst(HttpHeaders.CACHE_CONTROL));
        patch.put("metadata", S3ObjectOperations.metadata(headers));
        return patch;
    }
}
