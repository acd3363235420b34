package io.granary.upload;

import io.granary.config.GranaryProperties;
import io.granary.error.ErrorCode;
import io.granary.error.GranaryException;
import io.granary.web.Requests;
import java.net.URI;
import java.util.Map;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;
import org.springframework.web.reactive.function.server.HandlerFunction;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;
import org.springframework.web.util.UriUtils;
import reactor.core.publisher.Mono;

/**
 * HTTP of the tus 1.0.0 front-end under {@code /v1/tus/{bucket}}: the protocol's headers in and
 * out, nothing else ({@link TusService} holds the rules).
 */
@Component
public class TusHandler {

    static final String EXTENSIONS = "creation,creation-with-upload,creation-defer-length,termination,expiration,checksum";
    static final String PATCH_TYPE = "application/offset+octet-stream";

    private final TusService tus;
    private final URI publicUrl;

    TusHandler(TusService tus, GranaryProperties properties) {
        this.tus = tus;
        this.publicUrl = properties.publicUrl();
    }

    /**
     * Every tus response carries {@code Tus-Resumable}; every request but {@code OPTIONS} must
     * carry {@code Tus-Resumable: 1.0.0} (412 {@code tus_version_unsupported} with
     * {@code Tus-Version} otherwise). Applied outside the credential check, so its refusals
     * carry the header too.
     */
    public Mono<ServerResponse> protocol(ServerRequest request, HandlerFunction<ServerResponse> next) {
        request.exchange().getResponse().beforeCommit(() -> {
            request.exchange().getResponse().getHeaders().set("Tus-Resumable", TusService.VERSION);
            return Mono.empty();
        });
        if (!HttpMethod.OPTIONS.equals(request.method())
                && !TusService.VERSION.equals(request.headers().firstHeader("Tus-Resumable"))) {
            return Mono.error(new GranaryException(ErrorCode.TUS_VERSION_UNSUPPORTED,
                    "Send Tus-Resumable: " + TusService.VERSION + " with every tus request.",
                    Map.of("Tus-Version", TusService.VERSION)));
        }
        try {
            return next.handle(request);
        } catch (Exception e) {
            return Mono.error(e);
        }
    }

    public Mono<ServerResponse> options(ServerRequest request) {
        return ServerResponse.noContent()
                .header("Tus-Version", TusService.VERSION)
                .header("Tus-Extension", EXTENSIONS)
                .header("Tus-Checksum-Algorithm", "sha1,sha256")
                .header("Tus-Max-Size", Long.toString(tus.maxSize()))
                .build();
    }

    public Mono<ServerResponse> create(ServerRequest request) {
        return Mono.defer(() -> {
            HttpHeaders headers = request.headers().asHttpHeaders();
            Long length = TusHeaders.number("Upload-Length", headers.getFirst("Upload-Length"));
            String defer = headers.getFirst("Upload-Defer-Length");
            if ((length == null) == (defer == null) || (defer != null && !defer.trim().equals("1"))) {
                throw new GranaryException(ErrorCode.INVALID_REQUEST,
                        "Send either Upload-Length or Upload-Defer-Length: 1 to create an upload.");
            }
            String raw = headers.getFirst("Upload-Metadata");
            Map<String, String> metadata = TusHeaders.metadata(raw);
            String key = metadata.getOrDefault("key", metadata.get("filename"));
            String type = metadata.getOrDefault("contentType", metadata.get("filetype"));
            String bucket = request.pathVariable("bucket");
            long bodyLength = headers.getContentLength();
            boolean withBody = bodyLength > 0 && isPatchType(headers);
            return tus.create(Requests.principal(request), bucket,
                            new TusService.Creation(length, raw, key, type == null || type.isBlank() ? null : type))
                    .flatMap(created -> !withBody ? Mono.just(created)
                            // creation-with-upload: whatever part of the body was stored is
                            // reported by Upload-Offset; the client resumes from there.
                            : tus.patch(Requests.principal(request), bucket, created.id(),
                                            new TusService.Patch(0, bodyLength, null, headers.getFirst("Upload-Checksum")),
                                            Requests.body(request))
                                    .onErrorResume(error -> tus.get(Requests.principal(request), bucket, created.id())))
                    .flatMap(created -> ServerResponse.created(URI.create(Requests.baseUrl(request, publicUrl) + "/v1/tus/"
                                    + UriUtils.encodePathSegment(bucket, "UTF-8") + "/" + created.id()))
                            .header("Upload-Offset", Long.toString(created.offset()))
                            .header("Upload-Expires", httpDate(created))
                            .build());
        });
    }

    public Mono<ServerResponse> head(ServerRequest request) {
        return tus.get(Requests.principal(request), request.pathVariable("bucket"), request.pathVariable("uploadId"))
                .flatMap(upload -> {
                    ServerResponse.BodyBuilder response = ServerResponse.ok()
                            .header("Upload-Offset", Long.toString(upload.offset()))
                            .header(HttpHeaders.CACHE_CONTROL, "no-store")
                            .header("Upload-Expires", httpDate(upload));
                    if (upload.length() != null) {
                        response.header("Upload-Length", Long.toString(upload.length()));
                    } else {
                        response.header("Upload-Defer-Length", "1");
                    }
                    if (upload.metadata() != null && !upload.metadata().isBlank()) {
                        response.header("Upload-Metadata", upload.metadata());
                    }
                    return response.build();
                });
    }

    public Mono<ServerResponse> patch(ServerRequest request) {
        return Mono.defer(() -> {
            HttpHeaders headers = request.headers().asHttpHeaders();
            if (!isPatchType(headers)) {
                throw new GranaryException(ErrorCode.INVALID_PATCH_CONTENT_TYPE,
                        "A PATCH must be sent with Content-Type: " + PATCH_TYPE + ".");
            }
            Long offset = TusHeaders.number("Upload-Offset", headers.getFirst("Upload-Offset"));
            if (offset == null) {
                throw new GranaryException(ErrorCode.INVALID_REQUEST, "A PATCH must name its Upload-Offset.");
            }
            long length = headers.getContentLength();
            if (length < 0) {
                throw new GranaryException(ErrorCode.LENGTH_REQUIRED, "A PATCH must be sent with its Content-Length.");
            }
            Long uploadLength = TusHeaders.number("Upload-Length", headers.getFirst("Upload-Length"));
            return tus.patch(Requests.principal(request), request.pathVariable("bucket"), request.pathVariable("uploadId"),
                            new TusService.Patch(offset, length, uploadLength, headers.getFirst("Upload-Checksum")),
                            Requests.body(request))
                    .flatMap(upload -> ServerResponse.status(HttpStatus.NO_CONTENT)
                            .header("Upload-Offset", Long.toString(upload.offset()))
                            .header("Upload-Expires", httpDate(upload))
                            .build());
        });
    }

    public Mono<ServerResponse> terminate(ServerRequest request) {
        return tus.terminate(Requests.principal(request), request.pathVariable("bucket"), request.pathVariable("uploadId"))
                .then(ServerResponse.noContent().build());
    }

    private static boolean isPatchType(HttpHeaders headers) {
        String type = headers.getFirst(HttpHeaders.CONTENT_TYPE);
        return type != null && type.trim().toLowerCase(java.util.Locale.ROOT).startsWith(PATCH_TYPE);
    }

    private static String httpDate(TusUpload upload) {
        return TusHeaders.httpDate(upload.expiresAt());
    }
}
