package io.granary.bucket;

import io.granary.web.Requests;
import java.net.URI;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.stereotype.Component;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;
import reactor.core.publisher.Mono;

/** HTTP for {@code /v1/buckets}. */
@Component
public class BucketHandler {

    /** Body of {@code POST /v1/buckets}. */
    record CreateBucket(String name, String visibility, Long maxObjectSize, List<String> allowedContentTypes,
                        Long quotaBytes, Long quotaObjects, Boolean redirectDownloads, String cacheControl,
                        Object lifecycleRules) {
    }

    /** Body of {@code PUT /v1/buckets/{bucket}/cors} and answer of its {@code GET}. */
    record CorsRules(List<CorsRule> rules) {
    }

    private final BucketService buckets;

    BucketHandler(BucketService buckets) {
        this.buckets = buckets;
    }

    public Mono<ServerResponse> create(ServerRequest request) {
        return Requests.json(request, CreateBucket.class)
                .flatMap(body -> buckets.create(Requests.principal(request), body.name(),
                        new BucketSettings(body.visibility(), body.maxObjectSize(), body.allowedContentTypes(),
                                body.quotaBytes(), body.quotaObjects(), Boolean.TRUE.equals(body.redirectDownloads()),
                                body.cacheControl(), LifecycleRule.parse(body.lifecycleRules()))))
                .flatMap(b -> ServerResponse.created(URI.create("/v1/buckets/" + b.name())).bodyValue(view(b)));
    }

    public Mono<ServerResponse> list(ServerRequest request) {
        return buckets.list(Requests.principal(request)).map(BucketHandler::view).collectList()
                .flatMap(all -> ServerResponse.ok().bodyValue(Map.of("buckets", all)));
    }

    public Mono<ServerResponse> get(ServerRequest request) {
        return buckets.describe(Requests.principal(request), request.pathVariable("bucket"))
                .flatMap(b -> ServerResponse.ok().bodyValue(view(b)));
    }

    public Mono<ServerResponse> update(ServerRequest request) {
        return Requests.jsonObject(request)
                .flatMap(patch -> buckets.update(Requests.principal(request), request.pathVariable("bucket"), patch))
                .flatMap(b -> ServerResponse.ok().bodyValue(view(b)));
    }

    public Mono<ServerResponse> delete(ServerRequest request) {
        boolean force = request.queryParam("force").map("true"::equals).orElse(false);
        return buckets.delete(Requests.principal(request), request.pathVariable("bucket"), force)
                .then(ServerResponse.noContent().build());
    }

    public Mono<ServerResponse> cors(ServerRequest request) {
        return buckets.cors(Requests.principal(request), request.pathVariable("bucket"))
                .flatMap(rules -> ServerResponse.ok().bodyValue(new CorsRules(rules)));
    }

    public Mono<ServerResponse> replaceCors(ServerRequest request) {
        return Requests.json(request, CorsRules.class)
                .flatMap(body -> buckets.replaceCors(Requests.principal(request), request.pathVariable("bucket"),
                        body.rules() == null ? List.of() : body.rules()))
                .then(ServerResponse.noContent().build());
    }

    public Mono<ServerResponse> deleteCors(ServerRequest request) {
        return buckets.replaceCors(Requests.principal(request), request.pathVariable("bucket"), List.of())
                .then(ServerResponse.noContent().build());
    }

    /** The public shape of a bucket: internal ids of other tenants' data never leave. */
    static Map<String, Object> view(Bucket bucket) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("name", bucket.name());
        body.put("visibility", bucket.visibility());
        body.put("maxObjectSize", bucket.maxObjectSize());
        body.put("allowedContentTypes", bucket.allowedContentTypes());
        body.put("quotaBytes", bucket.quotaBytes());
        body.put("quotaObjects", bucket.quotaObjects());
        body.put("redirectDownloads", bucket.redirectsDownloads());
        body.put("cacheControl", bucket.cacheControl());
        body.put("lifecycleRules", bucket.lifecycle());
        body.put("createdAt", bucket.createdAt());
        return body;
    }
}
