package io.granary.s3api;

import io.granary.error.ErrorCode;
import io.granary.error.GranaryException;
import io.granary.object.ObjectPage;
import io.granary.object.ObjectService;
import io.granary.object.StoredObject;
import io.granary.security.Principal;
import io.granary.web.Requests;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Optional;
import java.util.function.UnaryOperator;
import org.springframework.http.MediaType;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;
import reactor.core.publisher.Mono;

/**
 * ListObjectsV2 and ListObjects (v1) over the object service's listing: a continuation token is
 * the listing's own cursor; {@code start-after} and v1's {@code marker} start just after a key.
 */
final class S3ListOperations {

    static final DateTimeFormatter TIMESTAMP = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'")
            .withZone(ZoneOffset.UTC);

    private final ObjectService objects;

    S3ListOperations(ObjectService objects) {
        this.objects = objects;
    }

    Mono<ServerResponse> listV2(ServerRequest request, String bucket) {
        Query query = Query.of(request);
        Optional<String> token = request.queryParam("continuation-token");
        Optional<String> startAfter = request.queryParam("start-after").filter(key -> !key.isEmpty());
        String cursor = token.orElseGet(() -> query.cursorAfter(startAfter));
        boolean owner = request.queryParam("fetch-owner").map("true"::equals).orElse(false);
        return page(request, bucket, query, cursor).map(page -> {
            S3Xml xml = query.head(S3Xml.document("ListBucketResult"), bucket)
                    .element("KeyCount", page.objects().size() + page.prefixes().size())
                    .element("IsTruncated", page.nextCursor() != null)
                    .element("ContinuationToken", token.orElse(null))
                    .element("NextContinuationToken", page.nextCursor())
                    .element("StartAfter", startAfter.map(query.encoder).orElse(null));
            return query.entries(xml, page, owner ? Requests.principal(request) : null, false).end("ListBucketResult");
        }).flatMap(S3ListOperations::ok);
    }

    Mono<ServerResponse> listV1(ServerRequest request, String bucket) {
        Query query = Query.of(request);
        Optional<String> marker = request.queryParam("marker").filter(key -> !key.isEmpty());
        return page(request, bucket, query, query.cursorAfter(marker)).map(page -> {
            S3Xml xml = query.head(S3Xml.document("ListBucketResult"), bucket)
                    .element("Marker", marker.map(query.encoder).orElse(""))
                    .element("IsTruncated", page.nextCursor() != null)
                    .element("NextMarker", query.nextMarker(page));
            return query.entries(xml, page, Requests.principal(request), false).end("ListBucketResult");
        }).flatMap(S3ListOperations::ok);
    }

    /**
     * ListObjectVersions: versioning is never enabled, so every object has one version, the
     * current one, with version id {@code null} (as S3 answers for an unversioned bucket).
     */
    Mono<ServerResponse> listVersions(ServerRequest request, String bucket) {
        Query query = Query.of(request);
        Optional<String> marker = request.queryParam("key-marker").filter(key -> !key.isEmpty());
        return page(request, bucket, query, query.cursorAfter(marker)).map(page -> {
            S3Xml xml = query.head(S3Xml.document("ListVersionsResult"), bucket)
                    .element("KeyMarker", marker.map(query.encoder).orElse(""))
                    .element("VersionIdMarker", "")
                    .element("IsTruncated", page.nextCursor() != null)
                    .element("NextKeyMarker", query.nextMarker(page))
                    .element("NextVersionIdMarker", page.nextCursor() != null ? "null" : null);
            return query.entries(xml, page, Requests.principal(request), true).end("ListVersionsResult");
        }).flatMap(S3ListOperations::ok);
    }

    private Mono<ObjectPage> page(ServerRequest request, String bucket, Query query, String cursor) {
        if (query.maxKeys == 0) {
            // Nothing asked for: the bucket is still checked, as S3 does.
            return objects.list(Requests.principal(request), bucket, query.prefix, query.delimiter, 1, null)
                    .map(ignored -> new ObjectPage(List.of(), List.of(), null));
        }
        return objects.list(Requests.principal(request), bucket, query.prefix, query.delimiter, query.maxKeys, cursor);
    }

    /**
     * How keys, prefixes and markers are written into a listing: as they are, or, with
     * {@code encoding-type=url} (the only value S3 knows), URL-encoded.
     */
    static UnaryOperator<String> encoder(ServerRequest request) {
        Optional<String> encoding = request.queryParam("encoding-type");
        if (encoding.isPresent() && !encoding.get().equals("url")) {
            throw new GranaryException(ErrorCode.INVALID_REQUEST, "encoding-type must be url.");
        }
        return encoding.isPresent() ? value -> URLEncoder.encode(value, StandardCharsets.UTF_8) : value -> value;
    }

    private static Mono<ServerResponse> ok(String xml) {
        return ServerResponse.ok().contentType(MediaType.APPLICATION_XML).bodyValue(xml);
    }

    /** The parameters both versions share. */
    private record Query(String prefix, String delimiter, int maxKeys, boolean urlEncoded, UnaryOperator<String> encoder) {

        static Query of(ServerRequest request) {
            int maxKeys;
            try {
                maxKeys = Integer.parseInt(request.queryParam("max-keys").orElse("1000"));
            } catch (NumberFormatException e) {
                throw new GranaryException(ErrorCode.INVALID_REQUEST, "max-keys must be an integer.");
            }
            if (maxKeys < 0) {
                throw new GranaryException(ErrorCode.INVALID_REQUEST, "max-keys must not be negative.");
            }
            UnaryOperator<String> encoder = S3ListOperations.encoder(request);
            return new Query(request.queryParam("prefix").orElse(""), request.queryParam("delimiter").filter(d -> !d.isEmpty()).orElse(null),
                    Math.min(maxKeys, 1000), request.queryParam("encoding-type").isPresent(), encoder);
        }

        /** The cursor that starts just after {@code key} (start-after, marker, key-marker), or none. */
        String cursorAfter(Optional<String> key) {
            return key.map(after -> ObjectService.cursorAfter(after, prefix, delimiter)).orElse(null);
        }

        /**
         * Where a truncated page's successor starts (v1's NextMarker, the versions' NextKeyMarker):
         * after its last key or common prefix, whichever is greater; {@code null} when not truncated.
         */
        String nextMarker(ObjectPage page) {
            if (page.nextCursor() == null) {
                return null;
            }
            String key = page.objects().isEmpty() ? null : page.objects().get(page.objects().size() - 1).key();
            String common = page.prefixes().isEmpty() ? null : page.prefixes().get(page.prefixes().size() - 1);
            return encoder.apply(key == null || (common != null && common.compareTo(key) > 0) ? common : key);
        }

        S3Xml head(S3Xml xml, String bucket) {
            return xml.element("Name", bucket)
                    .element("Prefix", encoder.apply(prefix))
                    .element("Delimiter", delimiter == null ? null : encoder.apply(delimiter))
                    .element("MaxKeys", maxKeys)
                    .element("EncodingType", urlEncoded ? "url" : null);
        }

        /** The page's objects ({@code <Contents>}, or {@code <Version>} for a version listing) and common prefixes. */
        S3Xml entries(S3Xml xml, ObjectPage page, Principal owner, boolean versions) {
            String element = versions ? "Version" : "Contents";
            for (StoredObject object : page.objects()) {
                xml.open(element).element("Key", encoder.apply(object.key()));
                if (versions) {
                    xml.element("VersionId", "null").element("IsLatest", true);
                }
                xml.element("LastModified", TIMESTAMP.format(object.lastModified()))
                        .element("ETag", object.quotedEtag())
                        .element("Size", object.size())
                        .element("StorageClass", "STANDARD");
                if (owner instanceof Principal.Member member) {
                    xml.open("Owner").element("ID", member.tenantId()).element("DisplayName", member.tenantId()).close("Owner");
                }
                xml.close(element);
            }
            for (String prefix : page.prefixes()) {
                xml.open("CommonPrefixes").element("Prefix", encoder.apply(prefix)).close("CommonPrefixes");
            }
            return xml;
        }
    }
}
