package io.granary.object;

import io.granary.bucket.Bucket;
import io.granary.error.ErrorCode;
import io.granary.error.GranaryException;
import io.granary.storage.ByteRange;
import io.granary.web.Requests;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/** HTTP for {@code /v1/buckets/{bucket}/objects/**}, {@code /copy} and {@code /delete}. */
@Component
public class ObjectHandler {

    private final ObjectService objects;

    ObjectHandler(ObjectService objects) {
        this.objects = objects;
    }

    // ---- PUT ----------------------------------------------------------------------------

    public Mono<ServerResponse> put(ServerRequest request) {
        HttpHeaders headers = request.headers().asHttpHeaders();
        long length = headers.getContentLength();
        PutRequest put = new PutRequest(
                headers.getFirst(HttpHeaders.CONTENT_TYPE),
                length >= 0 ? length : null,
                headers.getFirst(HttpHeaders.CACHE_CONTROL),
                userMetadata(headers),
                // A REST PUT has no way to send tags: the new version has none, as S3's has none it was not sent.
                null,
                ExpectedDigests.parse(headers.getFirst("Content-MD5"), headers.getFirst("X-Checksum-Sha256")),
                ObjectHttp.writeCondition(headers),
                null);
        Flux<DataBuffer> body = Requests.body(request);
        return objects.put(Requests.principal(request), request.pathVariable("bucket"), ObjectHttp.key(request), put, body)
                .flatMap(stored -> ServerResponse.ok().eTag(stored.quotedEtag()).bodyValue(view(stored)));
    }

    private static Map<String, String> userMetadata(HttpHeaders headers) {
        Map<String, String> metadata = new LinkedHashMap<>();
        headers.forEach((name, values) -> {
            if (name.regionMatches(true, 0, UserMetadata.HEADER_PREFIX, 0, UserMetadata.HEADER_PREFIX.length())) {
                metadata.put(name.substring(UserMetadata.HEADER_PREFIX.length()), String.join(",", values));
            }
        });
        return metadata;
    }

    // ---- GET / HEAD ---------------------------------------------------------------------

    public Mono<ServerResponse> get(ServerRequest request) {
        return read(request);
    }

    private Mono<ServerResponse> read(ServerRequest request) {
        return ObjectHttp.readingTwice(() -> objects.stat(Requests.principal(request), request.pathVariable("bucket"), ObjectHttp.key(request))
                .flatMap(found -> ObjectHttp.requireVersion(request, found))
                .flatMap(found -> ObjectHttp.preconditions(request, found.object())
                        .switchIfEmpty(Mono.defer(() -> respond(request, found.bucket(), found.object())))));
    }

    private Mono<ServerResponse> respond(ServerRequest request, Bucket bucket, StoredObject object) {
        ByteRange range = ObjectHttp.range(request, object);
        ServerResponse.BodyBuilder builder = ServerResponse.status(range == null ? HttpStatus.OK : HttpStatus.PARTIAL_CONTENT);
        describe(builder, request, bucket, object);
        long length = range == null ? object.size() : range.length();
        builder.contentLength(length);
        if (range != null) {
            builder.header(HttpHeaders.CONTENT_RANGE, "bytes " + range.first() + "-" + range.last() + "/" + object.size());
        }
        if (request.method() == HttpMethod.HEAD || object.size() == 0) {
            return builder.build();
        }
        Mono<ServerResponse> streamed = Mono.defer(() -> objects.open(object, range).flatMap(content -> builder.body(ObjectHttp.inserter(content))));
        boolean redirect = request.queryParam("redirect").map("true"::equals).orElse(bucket.redirectsDownloads());
        if (range == null && redirect) {
            // Take the transfer off the gateway where the store can serve it; else stream as usual.
            return objects.directDownload(Requests.principal(request), object, ObjectHttp.downloadName(request).orElse(null))
                    .flatMap(url -> ServerResponse.status(HttpStatus.FOUND).location(url)
                            .header(HttpHeaders.CACHE_CONTROL, "no-store").build())
                    .switchIfEmpty(streamed);
        }
        return streamed;
    }

    private static void describe(ServerResponse.BodyBuilder builder, ServerRequest request, Bucket bucket,
                                 StoredObject object) {
        builder.headers(headers -> ObjectHeaders.describe(headers, object, ObjectHttp.cacheControl(request, bucket, object),
                ObjectHttp.downloadName(request).orElse(null)));
    }

    // ---- PATCH / DELETE -----------------------------------------------------------------

    public Mono<ServerResponse> patch(ServerRequest request) {
        return Requests.jsonObject(request)
                .flatMap(patch -> objects.updateMetadata(Requests.principal(request), request.pathVariable("bucket"),
                        ObjectHttp.key(request), patch))
                .flatMap(stored -> ServerResponse.ok().bodyValue(view(stored)));
    }

    public Mono<ServerResponse> delete(ServerRequest request) {
        return objects.delete(Requests.principal(request), request.pathVariable("bucket"), ObjectHttp.key(request))
                .then(ServerResponse.noContent().build());
    }

    // ---- listing, copy, bulk delete -----------------------------------------------------

    public Mono<ServerResponse> list(ServerRequest request) {
        int limit = Requests.intParam(request, "limit", 1000, 1, 1000);
        return objects.list(Requests.principal(request), request.pathVariable("bucket"),
                        request.queryParam("prefix").orElse(""), request.queryParam("delimiter").orElse(null), limit,
                        request.queryParam("cursor").filter(c -> !c.isEmpty()).orElse(null))
                .flatMap(page -> {
                    Map<String, Object> body = new LinkedHashMap<>();
                    body.put("objects", page.objects().stream().map(ObjectHandler::view).toList());
                    body.put("prefixes", page.prefixes());
                    body.put("nextCursor", page.nextCursor());
                    return ServerResponse.ok().bodyValue(body);
                });
    }

    /** Body of {@code POST /v1/buckets/{bucket}/copy}. */
    record CopyRequest(String sourceBucket, String sourceKey, String key) {
    }

    public Mono<ServerResponse> copy(ServerRequest request) {
        String bucket = request.pathVariable("bucket");
        return Requests.json(request, CopyRequest.class)
                .flatMap(body -> {
                    if (body.sourceKey() == null || body.key() == null) {
                        return Mono.error(new GranaryException(ErrorCode.INVALID_REQUEST, "'sourceKey' and 'key' are required."));
                    }
                    String source = body.sourceBucket() == null ? bucket : body.sourceBucket();
                    return objects.copy(Requests.principal(request), source, body.sourceKey(), bucket, body.key());
                })
                .flatMap(stored -> ServerResponse.ok().bodyValue(view(stored)));
    }

    /** Body of {@code POST /v1/buckets/{bucket}/delete}. */
    record DeleteRequest(List<String> keys) {
    }

    public Mono<ServerResponse> deleteMany(ServerRequest request) {
        return Requests.json(request, DeleteRequest.class)
                .flatMap(body -> objects.deleteMany(Requests.principal(request), request.pathVariable("bucket"), body.keys()))
                .flatMap(result -> ServerResponse.ok().bodyValue(result));
    }

    // ---- helpers --------------------------------------------------------------------------

    /** The JSON description of an object version that every object response carries. */
    public static Map<String, Object> view(StoredObject object) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("key", object.key());
        body.put("size", object.size());
        body.put("etag", object.quotedEtag());
        body.put("contentType", object.contentType());
        body.put("detectedType", object.detectedType());
        body.put("cacheControl", object.cacheControl());
        body.put("metadata", object.metadata());
        body.put("tags", object.tags());
        body.put("versionId", object.versionId());
        body.put("lastModified", object.lastModified());
        return body;
    }
}
