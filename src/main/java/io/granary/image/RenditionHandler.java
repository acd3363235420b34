package io.granary.image;

import io.granary.error.ErrorCode;
import io.granary.error.GranaryException;
import io.granary.object.FoundObject;
import io.granary.object.ObjectHttp;
import io.granary.object.ObjectService;
import io.granary.security.signed.TransformPin;
import io.granary.web.Requests;
import io.netty.handler.codec.DateFormatter;
import java.nio.charset.StandardCharsets;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import org.springframework.http.ContentDisposition;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.stereotype.Component;
import org.springframework.web.reactive.function.server.HandlerFunction;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;
import reactor.core.publisher.Mono;

/**
 * HTTP for renditions: a GET or HEAD of an object (REST with any credential, signed URLs,
 * {@code /public}) whose query asks for a transform ({@link RenditionSpec#PARAMETERS}) or names
 * one of the bucket's presets ({@code preset}) is answered with the rendition; any other goes to the plain object read. With a transform, every
 * other parameter must be one the object routes know, or the request is refused with 422
 * {@code invalid_transform}: a misspelt {@code widht} is never silently dropped. Without one,
 * object reads are unchanged (cache-busting parameters keep working).
 */
@Component
public class RenditionHandler {

    /** What the object read routes take besides a transform's parameters. */
    private static final Set<String> ROUTE_PARAMETERS = Set.of(ObjectHttp.VERSION_PARAMETER, "token", "download", "redirect");

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
            boolean transform = query.keySet().stream().anyMatch(RenditionSpec.PARAMETERS::contains);
            String accept = request.headers().firstHeader(HttpHeaders.ACCEPT);
            if (query.containsKey(Presets.PARAMETER)) {
                requireKnown(query);
                if (transform || query.get(Presets.PARAMETER).size() != 1) {
                    throw new GranaryException(ErrorCode.INVALID_TRANSFORM,
                            "'preset' names one preset and takes no other transform parameter.");
                }
                String name = query.get(Presets.PARAMETER).get(0);
                return read(request, found -> Presets.spec(found.bucket(), name, accept));
            }
            if (!transform) {
                return plain.handle(request);
            }
            requireKnown(query);
            RenditionSpec spec = RenditionSpec.parse(query, accept).orElseThrow();
            // strip=false alone asks for the original as it is.
            return spec.original() ? plain.handle(request) : read(request, found -> spec);
        };
    }

    private Mono<ServerResponse> read(ServerRequest request, Function<FoundObject, RenditionSpec> specOf) {
        return ObjectHttp.readingTwice(() -> objects.stat(Requests.principal(request), request.pathVariable("bucket"),
                        ObjectHttp.key(request))
                .flatMap(found -> ObjectHttp.requireVersion(request, found))
                .flatMap(found -> {
                    RenditionSpec spec = specOf.apply(found);
                    String etag = RenditionService.etag(found.object(), spec);
                    // A client holding this rendition gets its 304 before anything is looked up or decoded.
                    return ObjectHttp.preconditions(request, etag, found.object().lastModified())
                            .flatMap(notModified -> varied(notModified, spec))
                            .switchIfEmpty(Mono.defer(() -> respond(request, found, spec, etag)));
                }));
    }

    /** With a transform, every parameter must be one of the transform's or the route's. */
    private static void requireKnown(Map<String, List<String>> query) {
        for (String name : query.keySet()) {
            if (!RenditionSpec.PARAMETERS.contains(name) && !ROUTE_PARAMETERS.contains(name) && !Presets.PARAMETER.equals(name)) {
                throw new GranaryException(ErrorCode.INVALID_TRANSFORM, "Unknown parameter '" + name + "'; a transform takes "
                        + String.join(", ", RenditionSpec.PARAMETERS.stream().sorted().toList()) + " or preset.");
            }
        }
    }

    private Mono<ServerResponse> respond(ServerRequest request, FoundObject found, RenditionSpec spec, String etag) {
        return renditions.rendition(found, spec).flatMap(rendition -> {
            ServerResponse.BodyBuilder builder = ServerResponse.ok().headers(headers -> {
                headers.set(HttpHeaders.CONTENT_TYPE, rendition.contentType());
                headers.setETag("\"" + etag + "\"");
                headers.set(HttpHeaders.LAST_MODIFIED, DateFormatter.format(Date.from(found.object().lastModified())));
                headers.set("X-Content-Type-Options", "nosniff");
                headers.set("X-Version-Id", found.object().versionId());
                String cacheControl = ObjectHttp.cacheControl(request, found.bucket(), found.object());
                if (cacheControl != null) {
                    headers.set(HttpHeaders.CACHE_CONTROL, cacheControl);
                }
                if (spec.variesByAccept()) {
                    headers.setVary(List.of(HttpHeaders.ACCEPT));
                }
                ObjectHttp.downloadName(request).ifPresent(name -> headers.set(
                        HttpHeaders.CONTENT_DISPOSITION,
                        ContentDisposition.attachment().filename(name, StandardCharsets.UTF_8).build().toString()));
            }).contentLength(rendition.size());
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
