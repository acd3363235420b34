package io.granary.upload;

import io.granary.config.GranaryProperties;
import io.granary.object.ObjectHandler;
import io.granary.security.signed.UploadTokenFilter;
import io.granary.web.Requests;
import java.net.URI;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.http.HttpHeaders;
import org.springframework.stereotype.Component;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;
import org.springframework.web.util.UriUtils;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * HTTP for upload intents: {@code POST /v1/buckets/{bucket}/uploads}, {@code GET} and
 * {@code POST .../complete} of {@code /v1/buckets/{bucket}/uploads/{uploadId}}, and
 * {@code PUT /v1/uploads/{uploadId}?token=}, Granary's upload URL for stores without their own.
 */
@Component
public class UploadIntentHandler {

    private final UploadIntentService intents;
    private final URI publicUrl;

    UploadIntentHandler(UploadIntentService intents, GranaryProperties properties) {
        this.intents = intents;
        this.publicUrl = properties.publicUrl();
    }

    public Mono<ServerResponse> create(ServerRequest request) {
        String bucket = request.pathVariable("bucket");
        return Requests.json(request, UploadIntentService.Request.class)
                .flatMap(body -> intents.create(Requests.principal(request), bucket, body))
                .flatMap(created -> {
                    Map<String, Object> answer = view(created.intent());
                    URI url = created.put().url();
                    answer.put("url", url.isAbsolute() ? url.toString() : Requests.baseUrl(request, publicUrl) + url);
                    answer.put("method", "PUT");
                    answer.put("headers", created.put().headers());
                    return ServerResponse.created(URI.create("/v1/buckets/" + UriUtils.encodePathSegment(bucket, "UTF-8")
                            + "/uploads/" + created.intent().id())).bodyValue(answer);
                });
    }

    public Mono<ServerResponse> get(ServerRequest request) {
        return intents.describe(Requests.principal(request), request.pathVariable("bucket"), request.pathVariable("uploadId"))
                .flatMap(intent -> ServerResponse.ok().bodyValue(view(intent)));
    }

    public Mono<ServerResponse> complete(ServerRequest request) {
        return intents.complete(Requests.principal(request), request.pathVariable("bucket"), request.pathVariable("uploadId"))
                .flatMap(stored -> ServerResponse.ok().eTag(stored.quotedEtag()).bodyValue(ObjectHandler.view(stored)));
    }

    public Mono<ServerResponse> receive(ServerRequest request) {
        HttpHeaders headers = request.headers().asHttpHeaders();
        long length = headers.getContentLength();
        Flux<DataBuffer> body = Requests.body(request);
        return intents.receive(UploadTokenFilter.grant(request), headers.getFirst(HttpHeaders.CONTENT_TYPE),
                        length >= 0 ? length : null, body)
                .then(ServerResponse.noContent().build());
    }

    /** An intent as JSON: {@code id}, as every resource has, and {@code uploadId} with the same value. */
    private static Map<String, Object> view(UploadIntent intent) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("id", intent.id());
        body.put("uploadId", intent.id());
        body.put("key", intent.upload().key());
        body.put("size", intent.upload().size());
        body.put("contentType", intent.upload().contentType());
        body.put("state", intent.visibleState(Instant.now()).wireName());
        if (intent.rejection() != null) {
            body.put("rejection", intent.rejection());
        }
        body.put("createdAt", intent.createdAt());
        body.put("expiresAt", intent.expiresAt());
        return body;
    }
}
