package io.granary.s3api;

import io.granary.error.ErrorCode;
import io.granary.error.GranaryException;
import io.granary.object.FoundObject;
import io.granary.object.ObjectService;
import io.granary.object.ObjectTags;
import io.granary.web.Requests;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;
import reactor.core.publisher.Mono;

/**
 * GetObjectTagging, PutObjectTagging and DeleteObjectTagging ({@code ?tagging} on an object),
 * and the {@code x-amz-tagging} header that PutObject, CreateMultipartUpload and CopyObject
 * carry: the tags the REST API shows and sets as {@code tags}. Reading needs {@code read},
 * changing {@code write}; a change touches neither the bytes, the ETag nor the last-modified
 * time. The tag rules are the object service's ({@link ObjectTags}).
 */
final class S3ObjectTagging {

    static final String HEADER = "x-amz-tagging";
    static final String COUNT_HEADER = "x-amz-tagging-count";
    /** Ten tags of the longest keys and values, escaped, fit well within this. */
    private static final int MAX_DOCUMENT = 64 * 1024;

    private final ObjectService objects;

    S3ObjectTagging(ObjectService objects) {
        this.objects = objects;
    }

    Mono<ServerResponse> get(ServerRequest request, S3Path path) {
        requireCurrentVersion(request);
        return objects.stat(Requests.principal(request), path.bucket(), path.key()).map(FoundObject::object)
                .flatMap(object -> {
                    S3Xml xml = S3Xml.document("Tagging").open("TagSet");
                    object.tags().forEach((key, value) -> xml.open("Tag").element("Key", key).element("Value", value).close("Tag"));
                    return ServerResponse.ok().contentType(MediaType.APPLICATION_XML)
                            .bodyValue(xml.close("TagSet").end("Tagging"));
                });
    }

    Mono<ServerResponse> put(ServerRequest request, S3Path path) {
        requireCurrentVersion(request);
        return S3XmlReader.read(request, MAX_DOCUMENT, "Tagging")
                .flatMap(body -> {
                    S3BodyChecksum.require(request.headers().asHttpHeaders(), body, "the tags were not changed");
                    Map<String, String> tags = ObjectTags.require(S3XmlReader.tagging(body));
                    return objects.replaceTags(Requests.principal(request), path.bucket(), path.key(), tags);
                })
                .then(ServerResponse.ok().build());
    }

    Mono<ServerResponse> delete(ServerRequest request, S3Path path) {
        requireCurrentVersion(request);
        return objects.replaceTags(Requests.principal(request), path.bucket(), path.key(), Map.of())
                .then(ServerResponse.noContent().build());
    }

    /**
     * The tags an {@code x-amz-tagging} header carries ({@code k1=v1&k2=v2}, URL-encoded as a
     * query string), validated; {@code null} without the header.
     */
    static Map<String, String> fromHeader(HttpHeaders headers) {
        String header = headers.getFirst(HEADER);
        if (header == null) {
            return null;
        }
        List<Map.Entry<String, String>> pairs = new ArrayList<>();
        for (String pair : header.strip().split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int equals = pair.indexOf('=');
            String key = equals < 0 ? pair : pair.substring(0, equals);
            String value = equals < 0 ? "" : pair.substring(equals + 1);
            pairs.add(new AbstractMap.SimpleImmutableEntry<>(decode(key), decode(value)));
        }
        return ObjectTags.require(pairs);
    }

    private static String decode(String text) {
        try {
            return URLDecoder.decode(text, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw new GranaryException(ErrorCode.INVALID_TAG, "The " + HEADER + " header must be URL-encoded as a query string.");
        }
    }

    /** Versioning is never enabled: the only version there is to address is the current one, {@code null} to S3. */
    private static void requireCurrentVersion(ServerRequest request) {
        String version = request.queryParam("versionId").orElse(null);
        if (version != null && !version.equals("null")) {
            throw new GranaryException(ErrorCode.NOT_IMPLEMENTED, "Tagging a version by id is not supported (versioning is off).");
        }
    }
}
