package io.granary.image;

import io.granary.bucket.Bucket;
import io.granary.object.FoundObject;
import io.granary.object.ObjectHttp;
import io.granary.object.ObjectService;
import io.granary.security.signed.TransformPin;
import io.granary.web.Requests;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.stereotype.Component;
import org.springframework.web.reactive.function.server.HandlerFunction;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;
import reactor.core.publisher.Mono;

/**
 * HTTP for renditions: a GET or HEAD of an object (REST with any credential, signed URLs,
 * {@code /public}) whose query asks for a rendition ({@link RenditionQuery}) is answered with it;
 * any other goes to the plain object read, unchanged (cache-busting parameters keep working).
 * Kept renditions read with an API key are usually answered before this, on the hot read path
 * ({@link HotRenditions}), with the same headers.
 */
@Component
public class RenditionHandler {

    private final ObjectService objects;
    private final RenditionService renditions;

    RenditionHandler(ObjectService objects, RenditionService renditions) {
        this.objects = objects;
        this.renditions = renditions;
    }

    /** {@code plain}, unless the request asks for a transform or a preset. */
    public HandlerFunction<ServerResponse> orPlain(HandlerFunction<ServerResponse> plain) {
        return request -> {
            Map<String, List<String>> query = request.queryParams();
            // A signed URL pinned to one rendition reads nothing else, not even the original.
            TransformPin.require(Requests.principal(request), query);
            return RenditionQuery.of(query, request.headers().firstHeader(HttpHeaders.ACCEPT))
                    .map(specOf -> read(request, specOf))
                    .orElseGet(() -> plain.handle(request));
        };
    }

    private Mono<ServerResponse> read(ServerRequest request, Function<Bucket, RenditionSpec> specOf) {
        return ObjectHttp.readingTwice(() -> objects.stat(Requests.principal(request), request.pathVariable("bucket"),
                        ObjectHttp.key(request))
                .flatMap(found -> ObjectHttp.requireVersion(request, found))
                .flatMap(found -> {
                    RenditionSpec spec = specOf.apply(found.bucket());
                    String etag = RenditionService.etag(found.object(), spec);
                    // A client holding this rendition gets its 304 before anything is looked up or decoded.
                    return ObjectHttp.preconditions(request, etag, found.object().lastModified())
                            .flatMap(notModified -> varied(notModified, spec))
                            .switchIfEmpty(Mono.defer(() -> respond(request, found, spec)));
                }));
    }

    private Mono<ServerResponse> respond(ServerRequest request, FoundObject found, RenditionSpec spec) {
        return renditions.rendition(found, spec).flatMap(rendition -> {
            ServerResponse.BodyBuilder builder = ServerResponse.ok().headers(headers -> RenditionHeaders.describe(headers,
                    found, rendition, spec, ObjectHttp.cacheControl(request, found.bucket(), found.object()),
                    ObjectHttp.downloadName(request).orElse(null)))
                    .contentLength(rendition.size());
            if (request.method() == HttpMethod.HEAD) {
                return builder.build();
            }
            return renditions.open(rendition).flatMap(content -> builder.body(ObjectHttp.inserter(content)));
        });
    }

    /** A 304 of a rendition chosen by {@code Accept} says so, as its 200 does. */
    private static Mono<ServerResponse> varied(ServerResponse notModified, RenditionSpec spec) {
        return spec.variesByAccept() ? ServerResponse.from(notModified).varyBy(HttpHeaders.ACCEPT).build() : Mono.just(notModified);
    }
}
