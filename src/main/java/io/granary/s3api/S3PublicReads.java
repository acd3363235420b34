package io.granary.s3api;

import io.granary.cors.CorsPolicy;
import io.granary.error.ErrorCode;
import io.granary.error.GranaryException;
import io.granary.security.AnonymousReaders;
import java.util.Locale;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;
import reactor.core.publisher.Mono;

/**
 * Unsigned S3 requests: exactly what the REST API's {@code /public/{tenant}/{bucket}/{key}}
 * allows, GetObject and HeadObject of an object in a public bucket. An unsigned request names no
 * credential and so no tenant; the tenant takes the bucket's place, as in the {@code /public}
 * URL: {@code /<tenant>/<bucket>/<key>} in path style, {@code <tenant>.<domain>/<bucket>/<key>}
 * in virtual-host style. Anything else unsigned is {@code 403 AccessDenied} before any lookup,
 * and so is a read of a bucket that is private, missing or in an unknown tenant, alike (S3
 * answers AccessDenied to anonymous readers of private buckets; answering so for the other two
 * as well tells nobody which names exist). A missing key in a public bucket is
 * {@code NoSuchKey}, as {@code /public} answers {@code object_not_found}.
 */
final class S3PublicReads {

    private final AnonymousReaders readers;
    private final S3ObjectOperations objects;
    private final CorsPolicy cors;

    S3PublicReads(AnonymousReaders readers, S3ObjectOperations objects, CorsPolicy cors) {
        this.readers = readers;
        this.objects = objects;
        this.cors = cors;
    }

    /**
     * Whether a preflight is for an unsigned request: it neither carries a presigned URL's
     * credential nor asks to send an {@code Authorization} header.
     */
    static boolean forUnsignedRequest(ServerRequest request) {
        String headers = request.headers().firstHeader(HttpHeaders.ACCESS_CONTROL_REQUEST_HEADERS);
        return request.queryParam("X-Amz-Credential").isEmpty()
                && (headers == null || !headers.toLowerCase(Locale.ROOT).contains("authorization"));
    }

    /** Answers the preflight of an unsigned read, addressed as the read is: the tenant's name, then its bucket. */
    Mono<Void> preflight(ServerRequest request, S3Address address) {
        S3Path path = S3Path.parse(address.rawRest());
        if (path.bucket() == null) {
            return Mono.error(new GranaryException(ErrorCode.CORS_FORBIDDEN, "An unsigned request names /<tenant>/<bucket>/<key>."));
        }
        return cors.answerPreflight(request.exchange(), readers.tenantId(address.bucket()), path.bucket());
    }

    Mono<ServerResponse> read(ServerRequest request, S3Address address) {
        String tenant = address.bucket();
        S3Path path = tenant == null ? null : S3Path.parse(address.rawRest());
        boolean objectRead = (request.method() == HttpMethod.GET || request.method() == HttpMethod.HEAD)
                && path != null && path.key() != null && S3Dispatcher.subresource(request) == null;
        if (!objectRead) {
            return Mono.error(new GranaryException(ErrorCode.UNAUTHENTICATED, "Access Denied: an unsigned request may only GET or"
                    + " HEAD an object of a public bucket, as /<tenant>/<bucket>/<key>; sign anything else with an S3 credential."));
        }
        S3Dispatcher.attribute(request, path.bucket(), true);
        cors.decorate(request.exchange(), path.bucket());
        return readers.admit(tenant, request.attributes())
                .then(Mono.defer(() -> objects.get(request, path)))
                .onErrorMap(error -> error instanceof GranaryException failure && failure.code() == ErrorCode.BUCKET_NOT_FOUND,
                        error -> new GranaryException(ErrorCode.UNAUTHENTICATED,
                                "Access Denied: no public bucket '" + path.bucket() + "' in a tenant named '" + tenant + "'."));
    }
}
