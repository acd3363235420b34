package io.granary.s3api;

import io.granary.bucket.BucketService;
import io.granary.bucket.CorsRule;
import io.granary.error.ErrorCode;
import io.granary.error.GranaryException;
import io.granary.web.Requests;
import java.util.List;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;
import reactor.core.publisher.Mono;

/**
 * GetBucketCors, PutBucketCors and DeleteBucketCors: the same rules the REST API sets under
 * {@code /v1/buckets/{bucket}/cors}, in S3's {@code CORSConfiguration} document.
 */
final class S3BucketCors {

    /** A hundred rules of a hundred entries each fit well within this. */
    private static final int MAX_DOCUMENT = 1024 * 1024;

    private final BucketService buckets;

    S3BucketCors(BucketService buckets) {
        this.buckets = buckets;
    }

    Mono<ServerResponse> get(ServerRequest request, String bucket) {
        return buckets.cors(Requests.principal(request), bucket).flatMap(rules -> {
            if (rules.isEmpty()) {
                return Mono.error(new GranaryException(ErrorCode.NO_CORS_CONFIGURATION,
                        "The CORS configuration does not exist."));
            }
            S3Xml xml = S3Xml.document("CORSConfiguration");
            for (CorsRule rule : rules) {
                xml.open("CORSRule");
                elements(xml, "AllowedHeader", rule.allowedHeaders());
                elements(xml, "AllowedMethod", rule.allowedMethods());
                elements(xml, "AllowedOrigin", rule.allowedOrigins());
                elements(xml, "ExposeHeader", rule.exposeHeaders());
                if (rule.maxAgeSeconds() != null) {
                    xml.element("MaxAgeSeconds", rule.maxAgeSeconds());
                }
                xml.close("CORSRule");
            }
            return S3BucketOperations.xml(xml.end("CORSConfiguration"));
        });
    }

    Mono<ServerResponse> put(ServerRequest request, String bucket) {
        return S3XmlReader.read(request, MAX_DOCUMENT, "CORSConfiguration")
                .flatMap(body -> {
                    S3BodyChecksum.require(request.headers().asHttpHeaders(), body, "the rules were not changed");
                    return buckets.replaceCors(Requests.principal(request), bucket, S3XmlReader.cors(body));
                })
                .then(ServerResponse.ok().build());
    }

    Mono<ServerResponse> delete(ServerRequest request, String bucket) {
        return buckets.replaceCors(Requests.principal(request), bucket, List.of()).then(ServerResponse.noContent().build());
    }

    private static void elements(S3Xml xml, String name, List<String> values) {
        values.forEach(value -> xml.element(name, value));
    }
}
