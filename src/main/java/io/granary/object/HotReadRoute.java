package io.granary.object;

import io.granary.apikey.ApiKeyService;
import io.granary.error.ErrorCode;
import io.granary.error.GranaryException;
import io.granary.ratelimit.RateLimiter;
import io.granary.security.CredentialFilter;
import io.granary.security.Principal;
import io.granary.security.RootKey;
import io.granary.security.jwt.JwtAuthenticator;
import io.granary.storage.BlobContent;
import io.granary.web.AccessRecord;
import io.granary.web.RequestIds;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.reactor.netty.NettyRouteProvider;
import org.springframework.http.support.Netty4HeadersAdapter;
import org.springframework.http.server.reactive.HttpHandler;
import org.springframework.http.server.reactive.ReactorHttpHandlerAdapter;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;
import reactor.netty.http.server.HttpServerRequest;
import reactor.netty.http.server.HttpServerResponse;
import reactor.netty.http.server.HttpServerRoutes;

/**
 * The hot read path: a plain {@code GET} or {@code HEAD} of a small object with an API key,
 * answered on Reactor Netty directly. The WebFlux pipeline around a handler (exchange, filter
 * chain, router, response writers, observation) costs several times what the cached read itself
 * does (bench/hot-get.sh measures both); requests here go through the same services with the
 * same rules (credential, tenant and bucket state, permission, key restrictions, rate limits) and
 * get the same headers, access-log line ({@link AccessRecord}), usage-history count and
 * {@code http.server.requests} timer.
 *
 * <p>A request with a query is answered here only when it asks for a kept variant of the object
 * that a {@link HotVariants} serves (a rendition), with that variant's headers and bytes.
 *
 * <p>Besides the successful answer, only the refusals that need nothing but the credential are
 * given here (no credential, an unknown key: 401; the rate limit: 429), rendered by the same
 * problem document and counted as the full path counts them ({@link HotRefusals}): a flood of refused requests must
 * cost less than serving them. Anything else (another credential kind, the root key, a query,
 * a query no variant claims, conditional, range or CORS ({@code Origin}) headers, a body, a large or redirected object, and every other refusal or
 * error) goes to the WebFlux routes as if this path did not exist, which answer it in full.
 */
@Component
class HotReadRoute implements NettyRouteProvider {

    private static final String PREFIX = "/v1/buckets/";
    private static final String OBJECTS = "/objects/";
    /** The route's pattern, as WebFlux's observation names it in the {@code uri} tag. */
    private static final String URI_TAG = "/v1/buckets/{bucket}/objects/{*key}";
    /** Headers that call for evaluation this path leaves to the full one. */
    private static final String[] DEFERRED_HEADERS = {
        "Origin", "Range", "If-Range", "If-Match", "If-None-Match", "If-Modified-Since", "If-Unmodified-Since",
        JwtAuthenticator.TENANT_HEADER, "Content-Length", "Transfer-Encoding"
    };

    private final ApiKeyService apiKeys;
    private final RootKey rootKey;
    private final HotRefusals refusals;
    private final RateLimiter rateLimiter;
    private final ObjectService objects;
    private final ObjectProvider<HttpHandler> httpHandler;
    private final HotVariants variants;
    private final Timer gets;
    private final Timer heads;
    private final Counter answered;
    private volatile ReactorHttpHandlerAdapter webflux;

    HotReadRoute(ApiKeyService apiKeys, RootKey rootKey, HotRefusals refusals, RateLimiter rateLimiter,
                 ObjectService objects, ObjectProvider<HttpHandler> httpHandler, ObjectProvider<HotVariants> variants,
                 MeterRegistry meters) {
        this.variants = variants.getIfAvailable();
        this.refusals = refusals;
        this.apiKeys = apiKeys;
        this.rootKey = rootKey;
        this.rateLimiter = rateLimiter;
        this.objects = objects;
        this.httpHandler = httpHandler;
        this.gets = timer(meters, "GET");
        this.heads = timer(meters, "HEAD");
        this.answered = Counter.builder("granary.hot.reads")
                .description("GET and HEAD requests answered on the hot read path (also counted in http.server.requests)")
                .register(meters);
    }

    private static Timer timer(MeterRegistry meters, String method) {
        return Timer.builder("http.server.requests")
                .tags("error", "none", "exception", "none", "method", method, "outcome", "SUCCESS", "status", "200",
                        "uri", URI_TAG)
                .register(meters);
    }

    @Override
    public HttpServerRoutes apply(HttpServerRoutes routes) {
        return routes.route(this::eligible, this::serve);
    }

    /** Cheap checks on the request line and headers only; no lookups. */
    private boolean eligible(HttpServerRequest request) {
        HttpMethod method = request.method();
        if (method != HttpMethod.GET && method != HttpMethod.HEAD) {
            return false;
        }
        String uri = request.uri();
        if (!uri.startsWith(PREFIX) || uri.indexOf('#') >= 0) {
            return false;
        }
        int query = uri.indexOf('?');
        if (query >= 0 && (variants == null || !variants.claims(uri.substring(query + 1)))) {
            return false;
        }
        HttpHeaders headers = request.requestHeaders();
        for (String name : DEFERRED_HEADERS) {
            if (headers.contains(name)) {
                return false;
            }
        }
        return true;
    }

    private Mono<Void> serve(HttpServerRequest request, HttpServerResponse response) {
        long start = System.nanoTime();
        String uri = request.uri();
        int queryStart = uri.indexOf('?');
        String query = queryStart < 0 ? null : uri.substring(queryStart + 1);
        Target target = Target.parse(queryStart < 0 ? uri : uri.substring(0, queryStart));
        HttpHeaders headers = request.requestHeaders();
        String credential = CredentialFilter.credential(headers.get(CredentialFilter.API_KEY_HEADER),
                headers.get(HttpHeaderNames.AUTHORIZATION));
        if (target == null || (credential != null && JwtAuthenticator.looksLikeJwt(credential))) {
            return fullPath(request, response);
        }
        if (credential == null) {
            return refusals.answer(request, response, CredentialFilter.missingCredential(), null, URI_TAG, start);
        }
        boolean head = request.method() == HttpMethod.HEAD;
        return apiKeys.authenticate(credential)
                .map(Optional::of)
                .defaultIfEmpty(Optional.empty())
                .flatMap(principal -> {
                    if (principal.isEmpty()) {
                        // Not an API key: the root key goes on to be refused for objects in full;
                        // anything else is refused here as the full path would.
                        return rootKey.matches(credential) ? fullPath(request, response)
                                : refusals.answer(request, response, CredentialFilter.unknownKey(), null, URI_TAG, start);
                    }
                    if (!(principal.get() instanceof Principal.Member member)) {
                        return fullPath(request, response);
                    }
                    // The limit first: a caller over it is refused before any lookup. A request
                    // this path then hands on is not charged again (CredentialFilter.alreadyAdmitted).
                    // Deferred: the services may refuse by throwing as they are called.
                    return rateLimiter.admit(member)
                            .then(Mono.defer(() -> resolve(member, target, query, headers, !head)))
                            // Every other refusal and error is answered by the full path, which renders it.
                            .onErrorResume(error -> !isRateLimited(error), error -> Mono.empty())
                            .defaultIfEmpty(Hit.NONE)
                            .onErrorResume(HotReadRoute::isRateLimited, error -> Mono.just(Hit.refused((GranaryException) error)))
                            .flatMap(hit -> hit.refusal() != null
                                    ? refusals.answer(request, response, hit.refusal(), member, URI_TAG, start)
                                            .doFirst(() -> attribute(request, target))
                                    : hit == Hit.NONE ? CredentialFilter.alreadyAdmitted(fullPath(request, response))
                                    : write(request, response, hit, target, head, start));
                });
    }

    private static boolean isRateLimited(Throwable error) {
        return error instanceof GranaryException refusal && refusal.code() == ErrorCode.RATE_LIMITED;
    }

    /**
     * The object (or the variant of it the query asks for) and, when {@code withBody}, its bytes
     * (a HEAD answer sends none); empty when this path does not answer the request.
     */
    private Mono<Hit> resolve(Principal.Member member, Target target, String query, HttpHeaders headers, boolean withBody) {
        Mono<FoundObject> stat = objects.stat(member, target.bucket(), target.key());
        Mono<HotVariants.Variant> variant = query != null
                ? stat.flatMap(found -> variants.variant(found, query, headers.get(HttpHeaderNames.ACCEPT)))
                : stat.filter(found -> !found.bucket().redirectsDownloads()
                                && (found.object().size() == 0 || objects.isSmall(found.object())))
                        .map(this::plain);
        return variant.flatMap(hit -> (!withBody || hit.size() == 0 ? Mono.just(Unpooled.EMPTY_BUFFER)
                        : hit.content().flatMap(HotReadRoute::cachedBytes))
                .map(bytes -> new Hit(member, hit, bytes, null)));
    }

    /** The object itself, described as the full path describes it. */
    private HotVariants.Variant plain(FoundObject found) {
        StoredObject object = found.object();
        String cacheControl = object.cacheControl() != null ? object.cacheControl() : found.bucket().cacheControl();
        return new HotVariants.Variant(object.size(), headers -> ObjectHeaders.describe(headers, object, cacheControl, null),
                Mono.defer(() -> objects.open(object, null)));
    }

    /**
     * The cached bytes as one buffer: Reactor Netty writes a single buffer and the headers as one
     * full response with one flush, where a stream of buffers costs a flush for the headers and
     * body and another for the end of the response. Empty for anything else (the store's own
     * stream, when the cached bytes did not match the record): the full path answers that.
     * Nothing is lost by dropping the content unread: a stream holds nothing until subscribed.
     */
    private static Mono<ByteBuf> cachedBytes(BlobContent content) {
        return content instanceof BlobContent.InMemory bytes
                ? Mono.just(Unpooled.wrappedBuffer(bytes.bytes(), bytes.offset(), bytes.length()))
                : Mono.empty();
    }

    private Mono<Void> write(HttpServerRequest request, HttpServerResponse response, Hit hit, Target target, boolean head,
                             long start) {
        AccessRecord record = AccessRecord.of(request);
        String id;
        if (record != null) {
            id = record.requestId();
            record.caller(hit.principal());
            // Counted in the usage history as the full path's requests are (see AccessRecord#report).
            record.bucket(target.bucket(), true);
        } else {
            id = RequestIds.choose(request.requestHeaders().get(RequestIds.HEADER));
        }
        response.status(HttpResponseStatus.OK);
        // Written straight into Netty's headers through Spring's view of them.
        org.springframework.http.HttpHeaders headers = new org.springframework.http.HttpHeaders(
                new Netty4HeadersAdapter(response.responseHeaders()));
        hit.variant().headers().accept(headers);
        response.header(RequestIds.HEADER, id).header(HttpHeaderNames.CONTENT_LENGTH, Long.toString(hit.variant().size()));
        Mono<Void> sent = head ? response.send().then() : response.send(Mono.just(hit.body())).then();
        Timer timer = head ? heads : gets;
        answered.increment();
        return sent.doFinally(signal -> timer.record(System.nanoTime() - start, TimeUnit.NANOSECONDS));
    }

    /** A refusal of a known caller counts as a request to its bucket, as on the full path. */
    private static void attribute(HttpServerRequest request, Target target) {
        AccessRecord record = AccessRecord.of(request);
        if (record != null) {
            record.bucket(target.bucket(), true);
        }
    }

    private Mono<Void> fullPath(HttpServerRequest request, HttpServerResponse response) {
        ReactorHttpHandlerAdapter adapter = webflux;
        if (adapter == null) {
            // Resolved on first use: the HTTP handler is built from the whole context, after the server.
            adapter = new ReactorHttpHandlerAdapter(httpHandler.getObject());
            webflux = adapter;
        }
        return adapter.apply(request, response);
    }

    /**
     * What this path answers: an object or a variant of one, a refusal, or nothing ({@link #NONE}:
     * the full path answers).
     */
    private record Hit(Principal principal, HotVariants.Variant variant, ByteBuf body, GranaryException refusal) {
        static final Hit NONE = new Hit(null, null, null, null);

        static Hit refused(GranaryException refusal) {
            return new Hit(null, null, null, refusal);
        }
    }

    /** Bucket and key from {@code /v1/buckets/{bucket}/objects/{key}}; {@code null} when not plainly that. */
    record Target(String bucket, String key) {

        static Target parse(String uri) {
            int bucketEnd = uri.indexOf('/', PREFIX.length());
            if (bucketEnd <= PREFIX.length() || !uri.startsWith(OBJECTS, bucketEnd)) {
                return null;
            }
            String bucket = uri.substring(PREFIX.length(), bucketEnd);
            String rawKey = uri.substring(bucketEnd + OBJECTS.length());
            // Escapes and matrix parameters in the bucket segment are left to WebFlux's decoding.
            if (bucket.indexOf('%') >= 0 || bucket.indexOf(';') >= 0 || rawKey.isEmpty()) {
                return null;
            }
            try {
                return new Target(bucket, ObjectKeys.fromRawPath(rawKey));
            } catch (RuntimeException invalid) {
                return null;
            }
        }
    }
}
