package io.granary.cors;

import io.granary.error.ErrorCode;
import io.granary.error.GranaryException;
import io.granary.object.DirectUpload;
import io.granary.security.AnonymousReaders;
import io.granary.security.Principal;
import io.granary.security.signed.SignedUrlVerifier;
import io.granary.upload.UploadIntent;
import io.granary.upload.UploadIntentRepository;
import java.time.Instant;
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
 * {@code /v1/tus/{bucket}}, {@code /public/{tenant}/{bucket}/} and upload-intent URLs
 * ({@code /v1/uploads/{uploadId}?token=}, whose intent names the bucket). Preflights to
 * {@code /v1/auth/*} are always refused: logins and browser sessions are same-origin only. Preflights are answered here,
 * before any credential is asked for; other requests with an {@code Origin} get the headers
 * of the rule that allows them ({@link CorsPolicy}).
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE + 1)
class CorsFilter implements WebFilter {

    private final CorsPolicy policy;
    private final AnonymousReaders readers;
    private final SignedUrlVerifier signedUrls;
    private final UploadIntentRepository intents;

    CorsFilter(CorsPolicy policy, AnonymousReaders readers, SignedUrlVerifier signedUrls, UploadIntentRepository intents) {
        this.policy = policy;
        this.readers = readers;
        this.signedUrls = signedUrls;
        this.intents = intents;
    }

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
        String path = exchange.getRequest().getPath().pathWithinApplication().value();
        BucketPath target = BucketPath.of(path);
        if (exchange.getRequest().getHeaders().getOrigin() == null) {
            return chain.filter(exchange);
        }
        if (path.startsWith("/v1/auth/")) {
            // Logins and browser sessions are same-origin only: no preflight is ever allowed, so
            // no other origin's script can send X-Granary-Session (or read a token). Their answers
            // never carry CORS headers.
            return CorsPolicy.isPreflight(exchange.getRequest())
                    ? Mono.error(new GranaryException(ErrorCode.CORS_FORBIDDEN, "Logins and browser sessions are same-origin only."))
                    : chain.filter(exchange);
        }
        if (target == null) {
            String uploadId = uploadId(path);
            return uploadId == null ? chain.filter(exchange) : uploadUrl(exchange, chain, uploadId);
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

    /**
     * An upload-intent URL: its token, checked as the upload's own filter checks it, names the
     * tenant, and the intent the bucket. A URL that names no live intent gets no CORS headers.
     */
    private Mono<Void> uploadUrl(ServerWebExchange exchange, WebFilterChain chain, String uploadId) {
        String token = exchange.getRequest().getQueryParams().getFirst("token");
        Mono<DirectUpload> upload = token == null ? Mono.empty() : signedUrls.verifyUpload(token)
                .filter(grant -> grant.uploadId().equals(uploadId))
                .flatMap(grant -> intents.find(uploadId))
                .filter(intent -> intent.visibleState(Instant.now()) == UploadIntent.State.PENDING)
                .map(UploadIntent::upload)
                .onErrorResume(error -> Mono.empty());
        if (CorsPolicy.isPreflight(exchange.getRequest())) {
            return upload.flatMap(found -> policy.answerPreflight(exchange, Mono.just(found.tenantId()), found.bucketName())
                            .thenReturn(found))
                    .switchIfEmpty(Mono.error(() -> new GranaryException(ErrorCode.CORS_FORBIDDEN,
                            "The upload URL names no upload that is waiting for its bytes.")))
                    .then(Mono.defer(() -> exchange.getResponse().setComplete()));
        }
        return upload.doOnNext(found -> policy.decorate(exchange, found::tenantId, found.bucketName()))
                .then(chain.filter(exchange));
    }

    /** The upload id of {@code /v1/uploads/{uploadId}}, or {@code null} for any other path. */
    private static String uploadId(String path) {
        String[] segments = path.split("/", -1);
        return segments.length == 4 && segments[1].equals("v1") && segments[2].equals("uploads") && !segments[3].isEmpty()
                ? segments[3] : null;
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
