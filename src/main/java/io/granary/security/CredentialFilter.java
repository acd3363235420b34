package io.granary.security;

import io.granary.apikey.ApiKeyService;
import io.granary.error.ErrorCode;
import io.granary.error.GranaryException;
import io.granary.ratelimit.RateLimiter;
import io.granary.security.jwt.JwtAuthenticator;
import io.granary.security.signed.SignedUrlVerifier;
import java.util.Optional;
import io.granary.web.Requests;
import org.springframework.http.HttpHeaders;
import org.springframework.stereotype.Component;
import org.springframework.web.reactive.function.server.HandlerFilterFunction;
import org.springframework.web.reactive.function.server.HandlerFunction;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;
import reactor.core.publisher.Mono;
import reactor.util.context.Context;

/**
 * Authenticates {@code /v1} requests from {@code Authorization: Bearer <key or JWT>} or
 * {@code X-Api-Key: <key>}, or, with neither, from a signed URL's {@code ?token=}, and stores
 * the {@link Principal} for the handlers. A missing, unknown, revoked or expired key or JWT is a
 * 401, a bad or expired signed-URL token a 403, before any handler runs.
 */
@Component
public class CredentialFilter implements HandlerFilterFunction<ServerResponse, ServerResponse> {

    public static final String API_KEY_HEADER = "X-Api-Key";
    private static final String BEARER = "Bearer ";
    private static final int MAX_KEY_LENGTH = 512;
    /** JWTs from common issuers stay well below this; anything longer is refused unread. */
    private static final int MAX_JWT_LENGTH = 8192;

    static final String TOKEN_PARAMETER = "token";
    /** The Reactor context key of {@link #alreadyAdmitted}: an object of this class's own, out of any client's reach. */
    private static final Object ADMITTED = new Object();

    private final RootKey rootKey;
    private final ApiKeyService apiKeys;
    private final SignedUrlVerifier signedUrls;
    private final RateLimiter rateLimiter;
    private final JwtAuthenticator jwts;

    public CredentialFilter(RootKey rootKey, ApiKeyService apiKeys, SignedUrlVerifier signedUrls, RateLimiter rateLimiter,
                            JwtAuthenticator jwts) {
        this.jwts = jwts;
        this.rootKey = rootKey;
        this.apiKeys = apiKeys;
        this.signedUrls = signedUrls;
        this.rateLimiter = rateLimiter;
    }

    @Override
    public Mono<ServerResponse> filter(ServerRequest request, HandlerFunction<ServerResponse> next) {
        String credential = credential(request);
        Optional<String> token = request.queryParam(TOKEN_PARAMETER);
        if (credential == null && token.isPresent()) {
            return signedUrls.verify(token.get()).flatMap(grant -> admit(request, grant, next));
        }
        if (credential == null) {
            return Mono.error(missingCredential());
        }
        if (credential.length() > MAX_JWT_LENGTH) {
            return Mono.error(new GranaryException(ErrorCode.UNAUTHENTICATED, "The credential is too long."));
        }
        String tenant = request.headers().firstHeader(JwtAuthenticator.TENANT_HEADER);
        if (JwtAuthenticator.looksLikeJwt(credential)) {
            return jwts.authenticate(credential, tenant).flatMap(p -> admit(request, p, next));
        }
        if (tenant != null) {
            return Mono.error(new GranaryException(ErrorCode.INVALID_REQUEST,
                    JwtAuthenticator.TENANT_HEADER + " is for system admins' JWTs: an API key acts in its own tenant,"
                            + " the root key in none (use an API key of the tenant, or log in as a system admin)."));
        }
        // The API key is tried first: it names its record, so the one digest computed is its
        // own. Hashing every credential against the root key as well doubled the SHA-256 work of
        // each API-key request; the root key is now hashed only for credentials that are not a
        // valid key, which keeps a root key of any shape (even an API key's) working.
        Mono<Principal> principal = credential.length() > MAX_KEY_LENGTH ? Mono.empty()
                : apiKeys.authenticate(credential)
                        .switchIfEmpty(Mono.fromSupplier(() -> rootKey.matches(credential) ? new Principal.Root() : null));
        return principal
                .switchIfEmpty(Mono.error(CredentialFilter::unknownKey))
                .flatMap(p -> admit(request, p, next));
    }

    /** Stores the principal for the handlers, after its rate limits agreed. */
    private Mono<ServerResponse> admit(ServerRequest request, Principal principal, HandlerFunction<ServerResponse> next) {
        request.attributes().put(Requests.PRINCIPAL, principal);
        return Mono.deferContextual(context -> context.hasKey(ADMITTED) ? Mono.<Void>empty() : rateLimiter.admit(principal))
                .then(Mono.defer(() -> next.handle(request)));
    }

    /**
     * {@code handling}, marked as the handling of a request whose rate-limit token was already
     * taken (by the hot read path, which then handed it on): it is not charged again here. The
     * mark lives in the Reactor context of that one request; no client can set it.
     */
    public static <T> Mono<T> alreadyAdmitted(Mono<T> handling) {
        return handling.contextWrite(Context.of(ADMITTED, Boolean.TRUE));
    }

    /** The refusal of a request that carries no credential. */
    public static GranaryException missingCredential() {
        return new GranaryException(ErrorCode.UNAUTHENTICATED,
                "Send an API key or a JWT as 'Authorization: Bearer <credential>', or an API key as 'X-Api-Key: <key>'.");
    }

    /** The refusal of an API key that is not (or no longer) valid. */
    public static GranaryException unknownKey() {
        return new GranaryException(ErrorCode.UNAUTHENTICATED, "The API key is unknown, revoked or expired.");
    }

    private static String credential(ServerRequest request) {
        return credential(request.headers().firstHeader(API_KEY_HEADER),
                request.headers().firstHeader(HttpHeaders.AUTHORIZATION));
    }

    /**
     * The credential a request carries: its {@code X-Api-Key}, else the token of its
     * {@code Authorization: Bearer} header; {@code null} when it has neither.
     */
    public static String credential(String apiKeyHeader, String authorizationHeader) {
        String value = apiKeyHeader;
        if (value == null && authorizationHeader != null
                && authorizationHeader.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
            value = authorizationHeader.substring(BEARER.length());
        }
        if (value == null) {
            return null;
        }
        value = value.strip();
        return value.isEmpty() ? null : value;
    }
}
