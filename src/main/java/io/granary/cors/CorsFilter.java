package io.granary.cors;

import io.granary.security.AnonymousReaders;
import io.granary.security.Principal;
import io.granary.security.signed.SignedUrlVerifier;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;
import reactor.core.publisher.Mono;

/**
 * Bucket CORS on the REST listener, for the paths that name a bucket: everything under
 * {@code /v1/buckets/{bucket}/} (objects, signed URLs, multipart), tus under
 * {@code /v1/tus/{bucket}} and {@code /public/{tenant}/{bucket}/}. Preflights are answered here,
 * before any credential is asked for; other requests with an {@code Origin} get the headers
 * of the rule that allows them ({@link CorsPolicy}).
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE + 1)
class CorsFilter implements WebFilter {

    private final CorsPolicy policy;
    private final AnonymousReaders readers;
    private final SignedUrlVerifier signedUrls;

    CorsFilter(CorsPolicy policy, AnonymousReaders readers, SignedUrlVerifier signedUrls) {
        this.policy = policy;
        this.readers = readers;
        this.signedUrls = signedUrls;
    }

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
        BucketPath target = BucketPath.of(exchange.getRequest().getPath().pathWithinApplication().value());
        if (target == null || exchange.getRequest().getHeaders().getOrigin() == null) {
            return chain.filter(exchange);
        }
        if (CorsPolicy.isPreflight(exchange.getRequest())) {
            String token = exchange.getRequest().getQueryParams().getFirst("token");
            Mono<String> tenantId = target.tenantName() != null
                    // An unknown tenant owns nothing: the preflight is refused like any other.
                    ? readers.tenantId(target.tenantName())
                    // A signed URL's preflight carries its token: that tenant's rules alone decide.
                    : token != null ? signedUrls.verify(token).map(Principal.Grant::tenantId).onErrorResume(error -> Mono.empty())
                    : Mono.empty();
            return policy.answerPreflight(exchange, tenantId, target.bucket())
                    .then(Mono.defer(() -> exchange.getResponse().setComplete()));
        }
        policy.decorate(exchange, target.bucket());
        return chain.filter(exchange);
    }

    /** The bucket a REST path names, and the tenant's name where the path names it too. */
    record BucketPath(String tenantName, String bucket) {

        static BucketPath of(String path) {
            String[] segments = path.split("/", -1);
            // ["", "v1", "buckets", "{bucket}", "objects", ...]
            if (segments.length >= 5 && segments[1].equals("v1") && segments[2].equals("buckets") && !segments[3].isEmpty()) {
                return new BucketPath(null, segments[3]);
            }
            if (segments.length >= 4 && segments[1].equals("v1") && segments[2].equals("tus") && !segments[3].isEmpty()) {
                return new BucketPath(null, segments[3]);
            }
            if (segments.length >= 5 && segments[1].equals("public") && !segments[2].isEmpty() && !segments[3].isEmpty()) {
                return new BucketPath(segments[2], segments[3]);
            }
            return null;
        }
    }
}
