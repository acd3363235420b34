package io.granary.security.signed;

import io.granary.error.ErrorCode;
import io.granary.error.GranaryException;
import io.granary.ratelimit.RateLimiter;
import io.granary.web.Requests;
import org.springframework.stereotype.Component;
import org.springframework.web.reactive.function.server.HandlerFilterFunction;
import org.springframework.web.reactive.function.server.HandlerFunction;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;
import reactor.core.publisher.Mono;

/**
 * Authenticates {@code /v1/uploads/{uploadId}}, the Granary URL of an upload intent, by its
 * {@code ?token=} alone (API keys are not read there): the token must be an upload token,
 * genuine, unexpired, from a still active key, and name the upload in the path. The handler
 * gets the {@link UploadGrant}; the request's principal is the matching signed-URL grant, so
 * rate limits and the counting of refusals apply as to any signed URL.
 */
@Component
public class UploadTokenFilter implements HandlerFilterFunction<ServerResponse, ServerResponse> {

    private static final String GRANT = UploadTokenFilter.class.getName() + ".grant";

    private final SignedUrlVerifier verifier;
    private final RateLimiter rateLimiter;

    UploadTokenFilter(SignedUrlVerifier verifier, RateLimiter rateLimiter) {
        this.verifier = verifier;
        this.rateLimiter = rateLimiter;
    }

    /** The verified grant of a request that passed this filter. */
    public static UploadGrant grant(ServerRequest request) {
        return (UploadGrant) request.attribute(GRANT).orElseThrow(() -> new GranaryException(ErrorCode.UNAUTHENTICATED));
    }

    @Override
    public Mono<ServerResponse> filter(ServerRequest request, HandlerFunction<ServerResponse> next) {
        String token = request.queryParam("token").orElse(null);
        if (token == null || token.isEmpty()) {
            return Mono.error(new GranaryException(ErrorCode.UNAUTHENTICATED,
                    "Use the upload URL exactly as issued, with its ?token=."));
        }
        return verifier.verifyUpload(token).flatMap(grant -> {
            if (!grant.uploadId().equals(request.pathVariable("uploadId"))) {
                return Mono.error(new GranaryException(ErrorCode.SIGNED_URL_MISMATCH,
                        "The upload URL's token was issued for another upload."));
            }
            request.attributes().put(Requests.PRINCIPAL, grant.principal());
            request.attributes().put(GRANT, grant);
            return rateLimiter.admit(grant.principal())
                    .then(Mono.defer(() -> next.handle(request)));
        });
    }
}
