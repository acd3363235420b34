package io.granary.upload;

import io.granary.common.Ids;
import io.granary.error.ErrorCode;
import io.granary.error.GranaryException;
import io.granary.object.ObjectHandler;
import io.granary.storage.StoredPart;
import io.granary.web.Requests;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.http.HttpHeaders;
import org.springframework.stereotype.Component;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;
import org.springframework.web.util.UriUtils;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/** HTTP for multipart uploads under {@code /v1/buckets/{bucket}/multipart}. */
@Component
public class MultipartHandler {

    private final MultipartService multipart;

    MultipartHandler(MultipartService multipart) {
        this.multipart = multipart;
    }

    /** The body of a completion. */
    public record Completion(List<PartRef> parts) {
    }

    public Mono<ServerResponse> start(ServerRequest request) {
        String bucket = request.pathVariable("bucket");
        return Requests.json(request, MultipartStart.class)
                .flatMap(body -> multipart.start(Requests.principal(request), bucket, body))
                .flatMap(started -> ServerResponse.created(URI.create("/v1/buckets/"
                                + UriUtils.encodePathSegment(bucket, "UTF-8") + "/multipart/" + started.id()))
                        .bodyValue(view(started, null)));
    }

    public Mono<ServerResponse> uploadPart(ServerRequest request) {
        HttpHeaders headers = request.headers().asHttpHeaders();
        long length = headers.getContentLength();
        Flux<DataBuffer> body = Requests.body(request);
        return Mono.defer(() -> multipart.uploadPart(Requests.principal(request), request.pathVariable("bucket"),
                        request.pathVariable("uploadId"), partNumber(request), length >= 0 ? length : null, body))
                .flatMap(part -> ServerResponse.ok().eTag(quoted(part.etag())).bodyValue(part(part)));
    }

    public Mono<ServerResponse> list(ServerRequest request) {
        return multipart.listParts(Requests.principal(request), request.pathVariable("bucket"), request.pathVariable("uploadId"))
                .flatMap(listing -> ServerResponse.ok().bodyValue(view(listing.upload(), listing.parts())));
    }

    /** The bucket's open uploads, a page at a time; the cursor is the position the last page ended at. */
    public Mono<ServerResponse> listOpen(ServerRequest request) {
        return Mono.defer(() -> {
            int limit = Requests.intParam(request, "limit", OpenUploads.MAX_PER_PAGE, 1, OpenUploads.MAX_PER_PAGE);
            String[] after = request.queryParam("cursor").filter(c -> !c.isEmpty()).map(MultipartHandler::decodeCursor)
                    .orElse(new String[2]);
            return multipart.listOpen(Requests.principal(request), request.pathVariable("bucket"),
                    request.queryParam("prefix").orElse(""), request.queryParam("delimiter").orElse(null), limit, after[0], after[1]);
        }).flatMap(page -> {
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("uploads", page.uploads().stream().map(upload -> view(upload, null)).toList());
            body.put("prefixes", page.prefixes());
            body.put("nextCursor", page.truncated() ? encodeCursor(page.nextKey(), page.nextUploadId()) : null);
            return ServerResponse.ok().bodyValue(body);
        });
    }

    /** {@code k} and the key (after every upload of it), or {@code u}, the upload id and the key (after that upload). */
    private static String encodeCursor(String key, String uploadId) {
        String raw = uploadId == null ? "k" + key : "u" + uploadId + key;
        return Base64.getUrlEncoder().withoutPadding().encodeToString(raw.getBytes(StandardCharsets.UTF_8));
    }

    /** The key and upload id (or {@code null}) a cursor names. */
    private static String[] decodeCursor(String cursor) {
        String raw;
        try {
            raw = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            raw = "";
        }
        if (raw.length() > 1 && raw.charAt(0) == 'k') {
            return new String[] {raw.substring(1), null};
        }
        if (raw.length() > 25 && raw.charAt(0) == 'u' && Ids.isId(raw.substring(1, 25))) {
            return new String[] {raw.substring(25), raw.substring(1, 25)};
        }
        throw new GranaryException(ErrorCode.INVALID_CURSOR, "The cursor is not one this API returned.");
    }

    public Mono<ServerResponse> partUrl(ServerRequest request) {
        return Mono.defer(() -> multipart.presignPart(Requests.principal(request), request.pathVariable("bucket"),
                        request.pathVariable("uploadId"), partNumber(request)))
                .flatMap(url -> {
                    Map<String, Object> body = new LinkedHashMap<>();
                    body.put("n", url.n());
                    body.put("url", url.url().toString());
                    body.put("method", "PUT");
                    body.put("headers", url.headers());
                    body.put("expiresAt", url.expiresAt());
                    return ServerResponse.ok().bodyValue(body);
                });
    }

    public Mono<ServerResponse> complete(ServerRequest request) {
        return Requests.json(request, Completion.class)
                .flatMap(body -> multipart.complete(Requests.principal(request), request.pathVariable("bucket"),
                        request.pathVariable("uploadId"), body.parts()))
                .flatMap(stored -> ServerResponse.ok().eTag(stored.quotedEtag()).bodyValue(ObjectHandler.view(stored)));
    }

    public Mono<ServerResponse> abort(ServerRequest request) {
        return multipart.abort(Requests.principal(request), request.pathVariable("bucket"), request.pathVariable("uploadId"))
                .then(ServerResponse.noContent().build());
    }

    private static int partNumber(ServerRequest request) {
        String n = request.pathVariable("n");
        try {
            return Integer.parseInt(n);
        } catch (NumberFormatException e) {
            throw new GranaryException(ErrorCode.INVALID_PART_NUMBER, "Part numbers go from 1 to 10,000, not '" + n + "'.");
        }
    }

    /**
     * An upload as JSON: {@code id}, as every resource has, and {@code uploadId}, S3's name for
     * it, with the same value; ETags quoted, as in the {@code ETag} header and S3's answers.
     */
    private static Map<String, Object> view(MultipartUpload upload, List<StoredPart> parts) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("id", upload.id());
        body.put("uploadId", upload.id());
        body.put("key", upload.upload().key());
        body.put("contentType", upload.upload().contentType());
        body.put("state", upload.state().wireName());
        if (upload.rejection() != null) {
            body.put("rejection", upload.rejection());
        }
        if (upload.etag() != null) {
            body.put("etag", quoted(upload.etag()));
        }
        body.put("createdAt", upload.createdAt());
        if (parts != null) {
            body.put("parts", parts.stream().map(MultipartHandler::part).toList());
        }
        return body;
    }

    private static Map<String, Object> part(StoredPart part) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("n", part.number());
        body.put("etag", quoted(part.etag()));
        body.put("size", part.size());
        return body;
    }

    /** Stores keep ETags bare; HTTP and S3 quote them, and so does every answer here. */
    private static String quoted(String etag) {
        return "\"" + etag + "\"";
    }
}
