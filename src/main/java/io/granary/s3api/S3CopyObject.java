package io.granary.s3api;

import io.granary.error.ErrorCode;
import io.granary.error.GranaryException;
import io.granary.object.ObjectService;
import io.granary.security.Principal;
import io.granary.web.Requests;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;
import reactor.core.publisher.Mono;

/**
 * CopyObject ({@code PUT} with {@code x-amz-copy-source}), on the object service's server-side
 * copy: within a bucket or between buckets of the tenant, with the {@code x-amz-copy-source-if-*}
 * conditions checked against the source. {@code x-amz-metadata-directive: REPLACE} takes the
 * content type, cache control and user metadata from the request; a copy of an object onto
 * itself with it changes only its metadata (the bytes are not copied).
 * {@code x-amz-tagging-directive: REPLACE} gives the copy the tags of {@code x-amz-tagging}
 * (none without it); {@code COPY}, the default, the source's.
 */
final class S3CopyObject {

    private final ObjectService objects;

    S3CopyObject(ObjectService objects) {
        this.objects = objects;
    }

    Mono<ServerResponse> copy(ServerRequest request, S3Path target) {
        HttpHeaders headers = request.headers().asHttpHeaders();
        S3Path source = S3CopySource.parse(headers.getFirst("x-amz-copy-source"));
        String directive = headers.getFirst("x-amz-metadata-directive");
        boolean replace = directive != null && directive.equalsIgnoreCase("REPLACE");
        if (directive != null && !replace && !directive.equalsIgnoreCase("COPY")) {
            throw new GranaryException(ErrorCode.INVALID_REQUEST, "x-amz-metadata-directive must be COPY or REPLACE.");
        }
        Map<String, String> tags = replacedTags(headers);
        boolean onto = source.equals(target);
        if (onto && !replace) {
            throw new GranaryException(ErrorCode.INVALID_REQUEST, "This copy request is illegal because it is trying to copy an"
                    + " object to itself without changing the object's metadata.");
        }
        Principal principal = Requests.principal(request);
        return S3CopySource.read(objects, principal, source, headers)
                // Onto itself: a metadata change in place. Elsewhere: one copy with the new attributes, all
                // checked before anything is copied, so a refused copy stores nothing.
                .flatMap(found -> onto
                        ? objects.updateMetadata(principal, target.bucket(), target.key(), replacement(headers, replace, tags))
                        : objects.copy(principal, source.bucket(), source.key(), target.bucket(), target.key(),
                                replacement(headers, replace, tags)))
                .flatMap(copied -> ServerResponse.ok().contentType(MediaType.APPLICATION_XML)
                        .bodyValue(S3Xml.document("CopyObjectResult")
                                .element("LastModified", S3ListOperations.TIMESTAMP.format(copied.lastModified()))
                                .element("ETag", copied.quotedEtag()).end("CopyObjectResult")));
    }

    /** The tags of {@code x-amz-tagging-directive: REPLACE}; {@code null} to copy the source's. */
    private static Map<String, String> replacedTags(HttpHeaders headers) {
        String directive = headers.getFirst("x-amz-tagging-directive");
        if (directive == null || directive.equalsIgnoreCase("COPY")) {
            return null;
        }
        if (!directive.equalsIgnoreCase("REPLACE")) {
            throw new GranaryException(ErrorCode.INVALID_REQUEST, "x-amz-tagging-directive must be COPY or REPLACE.");
        }
        Map<String, String> tags = S3ObjectTagging.fromHeader(headers);
        return tags == null ? Map.of() : tags;
    }

    /**
     * What the copy takes from the request instead of the source, as a metadata patch: with
     * {@code replaceMetadata} the type, cache control and metadata; the tags unless {@code null}.
     */
    private static Map<String, Object> replacement(HttpHeaders headers, boolean replaceMetadata, Map<String, String> tags) {
        Map<String, Object> patch = new LinkedHashMap<>();
        if (replaceMetadata) {
            String type = headers.getFirst(HttpHeaders.CONTENT_TYPE);
            if (type != null) {
                patch.put("contentType", type);
            }
            patch.put("cacheControl", headers.getFirst(HttpHeaders.CACHE_CONTROL));
            patch.put("metadata", S3ObjectOperations.metadata(headers));
        }
        if (tags != null) {
            patch.put("tags", tags);
        }
        return patch;
    }
}
