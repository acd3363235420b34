package io.granary.cors;

import io.granary.bucket.Bucket;
import io.granary.bucket.BucketOwners;
import io.granary.bucket.BucketRepository;
import io.granary.bucket.CorsRule;
import io.granary.error.ErrorCode;
import io.granary.error.GranaryException;
import io.granary.security.Principal;
import io.granary.web.Requests;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Applies a bucket's CORS rules to the requests of every front-end that names the bucket (REST
 * object routes, signed URLs, {@code /public}, tus, the S3 listener), from the cached bucket
 * records alone: the store is never touched.
 *
 * <p>A preflight ({@code OPTIONS} with {@code Origin} and {@code Access-Control-Request-Method})
 * carries no credential, so where its URL names a bucket but not its tenant (as {@code /public},
 * a signed URL's token or a presigned URL's credential do) the rules of every tenant's bucket of
 * that name are tried. That only lets the browser send the request: the
 * answer to it carries CORS headers only if the caller's own bucket allows the origin and
 * method, so a script reads nothing another tenant's rules allowed.
 */
@Component
public class CorsPolicy {

    private final BucketRepository buckets;

    CorsPolicy(BucketRepository buckets) {
        this.buckets = buckets;
    }

    /** Whether the request is a CORS preflight. */
    public static boolean isPreflight(ServerHttpRequest request) {
        HttpHeaders headers = request.getHeaders();
        return request.getMethod() == HttpMethod.OPTIONS && headers.getOrigin() != null
                && headers.getFirst(HttpHeaders.ACCESS_CONTROL_REQUEST_METHOD) != null;
    }

    /**
     * Answers a preflight for {@code bucket} of the tenant {@code tenantId} gives (empty: of any
     * tenant; a preflight's URL names one only for {@code /public} and signed or presigned URLs):
     * 200 with the allowing rule's headers, or 403 {@code cors_forbidden}. The caller renders
     * errors and ends the response.
     */
    public Mono<Void> answerPreflight(ServerWebExchange exchange, Mono<String> tenantId, String bucket) {
        HttpHeaders request = exchange.getRequest().getHeaders();
        String origin = request.getOrigin();
        String method = request.getFirst(HttpHeaders.ACCESS_CONTROL_REQUEST_METHOD);
        List<String> headers = requestedHeaders(request);
        ServerHttpResponse response = exchange.getResponse();
        response.getHeaders().setVary(List.of(HttpHeaders.ORIGIN, HttpHeaders.ACCESS_CONTROL_REQUEST_METHOD,
                HttpHeaders.ACCESS_CONTROL_REQUEST_HEADERS));
        return tenantId.map(Optional::of).defaultIfEmpty(Optional.empty())
                .flatMap(tenant -> rule(tenant.orElse(null), bucket, origin, method, headers))
                .switchIfEmpty(Mono.error(() -> new GranaryException(ErrorCode.CORS_FORBIDDEN, "No CORS rule of bucket '"
                        + bucket + "' allows " + method + " from " + origin
                        + (headers.isEmpty() ? "" : " with headers " + String.join(", ", headers)) + ".")))
                .doOnNext(rule -> {
                    HttpHeaders out = response.getHeaders();
                    out.setAccessControlAllowOrigin(rule.anyOrigin() ? "*" : origin);
                    out.setAccessControlAllowMethods(rule.allowedMethods().stream().map(HttpMethod::valueOf).toList());
                    if (!headers.isEmpty()) {
                        out.setAccessControlAllowHeaders(headers);
                    }
                    if (rule.maxAgeSeconds() != null) {
                        out.setAccessControlMaxAge(rule.maxAgeSeconds());
                    }
                    response.setStatusCode(HttpStatus.OK);
                })
                .then();
    }

    /**
     * Adds, when the response is committed, the CORS headers of {@code bucket} for a request
     * with an {@code Origin}: the tenant is the caller's, known by then ({@link Requests#PRINCIPAL});
     * a request no rule allows is answered without them, so the browser withholds the answer.
     * Error answers get them too, so a script can read why it failed.
     */
    public void decorate(ServerWebExchange exchange, String bucket) {
        decorate(exchange, () -> exchange.getAttribute(Requests.PRINCIPAL) instanceof Principal caller
                ? caller.tenantId() : null, bucket);
    }

    /** {@link #decorate(ServerWebExchange, String)} with the tenant given by {@code tenantId}. */
    public void decorate(ServerWebExchange exchange, Supplier<String> tenantId, String bucket) {
        String origin = exchange.getRequest().getHeaders().getOrigin();
        if (origin == null) {
            return;
        }
        ServerHttpResponse response = exchange.getResponse();
        response.beforeCommit(() -> {
            varyByOrigin(response.getHeaders());
            String tenant = tenantId.get();
            // A tus discovery (OPTIONS) needs no credential and reveals nothing of a tenant: like
            // a preflight, it is answered by the rules of any tenant's bucket of that name.
            if (tenant == null && exchange.getRequest().getMethod() != HttpMethod.OPTIONS) {
                return Mono.empty();
            }
            return rule(tenant, bucket, origin, exchange.getRequest().getMethod().name(), List.of())
                    .doOnNext(rule -> {
                        HttpHeaders out = response.getHeaders();
                        out.setAccessControlAllowOrigin(rule.anyOrigin() ? "*" : origin);
                        if (!rule.exposeHeaders().isEmpty()) {
                            out.setAccessControlExposeHeaders(rule.exposeHeaders());
                        }
                    })
                    // A failed lookup leaves the answer as it is, without CORS headers.
                    .onErrorResume(error -> Mono.empty())
                    .then();
        });
    }

    /** Adds {@code Origin} to the answer's {@code Vary}, keeping what it varies by already. */
    private static void varyByOrigin(HttpHeaders headers) {
        List<String> vary = new ArrayList<>(headers.getVary());
        if (vary.stream().noneMatch(HttpHeaders.ORIGIN::equalsIgnoreCase)) {
            vary.add(HttpHeaders.ORIGIN);
            headers.setVary(vary);
        }
    }

    private Mono<CorsRule> rule(String tenantId, String bucket, String origin, String method, List<String> headers) {
        Flux<String> tenants = tenantId != null ? Flux.just(tenantId)
                : buckets.ownersOf(bucket).flatMapIterable(BucketOwners::tenantIds);
        return tenants.concatMap(tenant -> buckets.find(tenant, bucket))
                .concatMapIterable(Bucket::corsRules)
                .filter(rule -> rule.allows(origin, method, headers))
                .next();
    }

    private static List<String> requestedHeaders(HttpHeaders request) {
        return request.getOrDefault(HttpHeaders.ACCESS_CONTROL_REQUEST_HEADERS, List.of()).stream()
                .flatMap(value -> Arrays.stream(value.split(",")))
                .map(String::trim)
                .filter(name -> !name.isEmpty())
                .toList();
    }
}
