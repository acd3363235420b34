package io.granary.s3api;

import io.granary.error.ErrorCode;
import io.granary.error.GranaryException;
import io.granary.ratelimit.RateLimiter;
import io.granary.s3credential.S3CredentialService;
import io.granary.s3credential.S3Identity;
import io.granary.security.Principal;
import io.granary.web.Requests;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.http.HttpHeaders;
import org.springframework.web.reactive.function.server.ServerRequest;
import reactor.core.publisher.Mono;

/**
 * Who signed an S3 request: SigV4 in the {@code Authorization} header or in the query
 * (a presigned URL), checked against the credential's secret. A request with neither (nor a
 * SigV2 signature) is {@linkplain #unsigned unsigned}: not this class's to judge, it goes to
 * {@link S3PublicReads}. SigV2 is refused with a message saying to use SigV4. A signer is
 * admitted by the same rate limits as a REST caller with an API key.
 */
final class S3Authenticator {

    static final Duration MAX_SKEW = Duration.ofMinutes(15);
    static final long MAX_PRESIGNED_SECONDS = Duration.ofDays(7).toSeconds();
    static final String CONTENT_SHA256 = "x-amz-content-sha256";
    /** Request attribute: the {@link ChunkSigning} of a request whose body is signed chunk by chunk. */
    static final String CHUNK_SIGNING = S3Authenticator.class.getName() + ".chunkSigning";
    private static final String SIGNED_CHUNKS = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD";
    private static final DateTimeFormatter AMZ_DATE = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'");

    private final S3CredentialService credentials;
    private final RateLimiter rateLimiter;
    private final Clock clock;

    S3Authenticator(S3CredentialService credentials, RateLimiter rateLimiter, Clock clock) {
        this.credentials = credentials;
        this.rateLimiter = rateLimiter;
        this.clock = clock;
    }

    /**
     * Whether the request carries no signature at all: no {@code Authorization} header and no
     * signature in the query (SigV4's {@code X-Amz-Algorithm}, SigV2's {@code Signature} or
     * {@code AWSAccessKeyId}, which {@link #authenticate} refuses by name).
     */
    static boolean unsigned(ServerRequest request) {
        return request.headers().firstHeader(HttpHeaders.AUTHORIZATION) == null
                && request.queryParam("X-Amz-Algorithm").isEmpty()
                && request.queryParam("Signature").isEmpty() && request.queryParam("AWSAccessKeyId").isEmpty();
    }

    /**
     * The signer of a request that is not {@linkplain #unsigned unsigned}, once its rate limits
     * agreed ({@code rate_limited}, S3's {@code SlowDown}, when they do not).
     */
    Mono<Principal> authenticate(ServerRequest request) {
        // Recorded before the rate limit, so that a refusal's answer knows its tenant too.
        return admitted(Mono.defer(() -> signer(request)).doOnNext(signer -> request.attributes().put(Requests.PRINCIPAL, signer)));
    }

    /**
     * The tenant of the credential a presigned URL names ({@code X-Amz-Credential}), unchecked:
     * for a preflight, which carries the URL but neither its method nor its headers, so that the
     * URL's own tenant's CORS rules decide; empty when the URL names no known credential.
     */
    Mono<String> presignedTenant(ServerRequest request) {
        return request.queryParam("X-Amz-Credential")
                .map(credential -> credentials.identify(credential.split("/", 2)[0]).map(identity -> identity.principal().tenantId()))
                .orElse(Mono.empty());
    }

    /** {@code signer} once its rate limits agreed. */
    private Mono<Principal> admitted(Mono<Principal> signer) {
        return signer.flatMap(principal -> rateLimiter.admit(principal).thenReturn(principal));
    }

    private Mono<Principal> signer(ServerRequest request) {
        String authorization = request.headers().firstHeader(HttpHeaders.AUTHORIZATION);
        if (authorization != null && authorization.startsWith(SigV4.ALGORITHM + " ")) {
            return verify(request, fromHeader(request, authorization.substring(SigV4.ALGORITHM.length() + 1)));
        }
        if (authorization != null && authorization.startsWith("AWS ")) {
            throw new GranaryException(ErrorCode.INVALID_REQUEST,
                    "Signature Version 2 is not supported; sign requests with AWS4-HMAC-SHA256 (Signature Version 4).");
        }
        if (authorization != null) {
            throw new GranaryException(ErrorCode.AUTHORIZATION_MALFORMED, "The Authorization header is not AWS4-HMAC-SHA256.");
        }
        if (request.queryParam("X-Amz-Algorithm").isPresent()) {
            return verify(request, fromQuery(request));
        }
        if (request.queryParam("Signature").isPresent() || request.queryParam("AWSAccessKeyId").isPresent()) {
            throw new GranaryException(ErrorCode.INVALID_REQUEST,
                    "Signature Version 2 is not supported; presign URLs with AWS4-HMAC-SHA256 (Signature Version 4).");
        }
        return Mono.error(new GranaryException(ErrorCode.UNAUTHENTICATED, "The request is not signed."));
    }

    /** What a request says about its own signature, from the header or the query. */
    private record Claim(String accessKeyId, String date, String region, String service, List<String> signedHeaders,
                         String signature, String amzDate, String payloadHash) {

        String scope() {
            return date + "/" + region + "/" + service + "/aws4_request";
        }
    }

    private Claim fromHeader(ServerRequest request, String parameters) {
        Map<String, String> fields = new LinkedHashMap<>();
        for (String field : parameters.split(",")) {
            int equals = field.indexOf('=');
            if (equals > 0) {
                fields.put(field.substring(0, equals).strip(), field.substring(equals + 1).strip());
            }
        }
        String amzDate = request.headers().firstHeader("x-amz-date");
        if (amzDate == null) {
            amzDate = fromHttpDate(request.headers().firstHeader(HttpHeaders.DATE));
        }
        String payloadHash = request.headers().firstHeader(CONTENT_SHA256);
        if (payloadHash == null) {
            throw new GranaryException(ErrorCode.INVALID_REQUEST, "Missing required header for this request: x-amz-content-sha256.");
        }
        Instant at = parseAmzDate(amzDate);
        if (Duration.between(at, clock.instant()).abs().compareTo(MAX_SKEW) > 0) {
            throw new GranaryException(ErrorCode.REQUEST_TIME_SKEWED, "The difference between the request time ("
                    + amzDate + ") and the server's time (" + AMZ_DATE.format(clock.instant().atOffset(ZoneOffset.UTC))
                    + ") is more than 15 minutes.");
        }
        return claim(fields.get("Credential"), fields.get("SignedHeaders"), fields.get("Signature"), amzDate, payloadHash);
    }

    private Claim fromQuery(ServerRequest request) {
        if (!request.queryParam("X-Amz-Algorithm").get().equals(SigV4.ALGORITHM)) {
            throw new GranaryException(ErrorCode.AUTHORIZATION_MALFORMED, "X-Amz-Algorithm must be " + SigV4.ALGORITHM + ".");
        }
        String amzDate = request.queryParam("X-Amz-Date").orElse(null);
        Instant signedAt = parseAmzDate(amzDate);
        long expires;
        try {
            expires = Long.parseLong(request.queryParam("X-Amz-Expires").orElse(""));
        } catch (NumberFormatException e) {
            throw new GranaryException(ErrorCode.AUTHORIZATION_MALFORMED, "X-Amz-Expires must be a number of seconds.");
        }
        if (expires < 1 || expires > MAX_PRESIGNED_SECONDS) {
            throw new GranaryException(ErrorCode.AUTHORIZATION_MALFORMED,
                    "X-Amz-Expires must be between 1 and " + MAX_PRESIGNED_SECONDS + " seconds (7 days).");
        }
        Instant now = clock.instant();
        if (signedAt.isAfter(now.plus(MAX_SKEW))) {
            throw new GranaryException(ErrorCode.SIGNED_URL_INVALID, "Request is not valid yet: it was signed for " + amzDate + ".");
        }
        if (now.isAfter(signedAt.plusSeconds(expires))) {
            throw new GranaryException(ErrorCode.SIGNED_URL_EXPIRED, "Request has expired: it was valid until "
                    + AMZ_DATE.format(signedAt.plusSeconds(expires).atOffset(ZoneOffset.UTC)) + ".");
        }
        String payloadHash = request.headers().firstHeader(CONTENT_SHA256);
        return claim(request.queryParam("X-Amz-Credential").orElse(null), request.queryParam("X-Amz-SignedHeaders").orElse(null),
                request.queryParam("X-Amz-Signature").orElse(null), amzDate,
                payloadHash == null ? SigV4.UNSIGNED_PAYLOAD : payloadHash);
    }

    private static Claim claim(String credential, String signedHeaders, String signature, String amzDate, String payloadHash) {
        if (credential == null || signedHeaders == null || signature == null) {
            throw new GranaryException(ErrorCode.AUTHORIZATION_MALFORMED,
                    "The authorization must name Credential, SignedHeaders and Signature.");
        }
        String[] scope = scope(credential, amzDate);
        List<String> headers = Arrays.asList(signedHeaders.split(";"));
        if (!headers.contains("host")) {
            throw new GranaryException(ErrorCode.AUTHORIZATION_MALFORMED, "SignedHeaders must include host.");
        }
        return new Claim(scope[0], scope[1], scope[2], scope[3], headers, signature, amzDate, payloadHash);
    }

    /** A credential's parts: access key id, date, region, service; checked to be S3's and of {@code amzDate}'s day. */
    private static String[] scope(String credential, String amzDate) {
        String[] scope = credential.split("/");
        if (scope.length != 5 || !scope[4].equals("aws4_request")) {
            throw new GranaryException(ErrorCode.AUTHORIZATION_MALFORMED,
                    "The Credential must read <access key id>/<yyyymmdd>/<region>/s3/aws4_request, not '" + credential + "'.");
        }
        if (!scope[3].equals("s3")) {
            throw new GranaryException(ErrorCode.AUTHORIZATION_MALFORMED, "The Credential's service must be s3, not '" + scope[3] + "'.");
        }
        if (!amzDate.startsWith(scope[1])) {
            throw new GranaryException(ErrorCode.AUTHORIZATION_MALFORMED,
                    "The Credential's date " + scope[1] + " is not the request's date " + amzDate.substring(0, 8) + ".");
        }
        return scope;
    }

    /**
     * The signer of a POST form's policy (S3's browser uploads, which carry no {@code
     * Authorization}): {@code x-amz-credential} names the credential and the scope, and {@code
     * x-amz-signature} is the hex HMAC of the base64 policy itself under the scope's SigV4 signing
     * key. The policy's expiration, not the request's time, bounds how long the signature is
     * good. Admitted by the rate limits as any signer.
     */
    Mono<Principal> authenticatePolicy(String credential, String amzDate, String policy, String signature) {
        parseAmzDate(amzDate);
        String[] scope = scope(credential, amzDate);
        return admitted(credentials.identify(scope[0])
                .switchIfEmpty(Mono.error(() -> new GranaryException(ErrorCode.ACCESS_KEY_UNKNOWN,
                        "The AWS Access Key Id you provided does not exist in our records.")))
                .map(identity -> {
                    String expected = SigV4.signature(identity.secretAccessKey(), scope[1], scope[2], scope[3], policy);
                    if (!SigV4.sameSignature(expected, signature.toLowerCase(java.util.Locale.ROOT))) {
                        throw new GranaryException(ErrorCode.SIGNATURE_MISMATCH, "The request signature we calculated does not"
                                + " match the signature you provided: x-amz-signature must be the hex HMAC-SHA256 of the policy"
                                + " field as sent, under the SigV4 signing key of x-amz-credential's scope.");
                    }
                    return identity.principal();
                }));
    }

    private Mono<Principal> verify(ServerRequest request, Claim claim) {
        return credentials.identify(claim.accessKeyId())
                .switchIfEmpty(Mono.error(() -> new GranaryException(ErrorCode.ACCESS_KEY_UNKNOWN,
                        "The AWS Access Key Id you provided does not exist in our records.")))
                .map(identity -> check(request, claim, identity));
    }

    private static Principal check(ServerRequest request, Claim claim, S3Identity identity) {
        Map<String, List<String>> headers = new LinkedHashMap<>();
        for (String name : claim.signedHeaders()) {
            headers.put(name, request.headers().header(name));
        }
        String canonical = SigV4.canonicalRequest(request.method().name(), request.uri().getRawPath(), request.uri().getRawQuery(),
                claim.signedHeaders(), headers, claim.payloadHash());
        String stringToSign = SigV4.stringToSign(claim.amzDate(), claim.scope(), canonical);
        String expected = SigV4.signature(identity.secretAccessKey(), claim.date(), claim.region(), claim.service(), stringToSign);
        if (!SigV4.sameSignature(expected, claim.signature())) {
            throw new SignatureMismatch(claim.accessKeyId(), claim.signature(), canonical, stringToSign);
        }
        if (claim.payloadHash().startsWith(SIGNED_CHUNKS)) {
            request.attributes().put(CHUNK_SIGNING, new ChunkSigning(identity.secretAccessKey(), claim.amzDate(), claim.date(),
                    claim.region(), expected));
        }
        return identity.principal();
    }

    private static Instant parseAmzDate(String amzDate) {
        if (amzDate == null) {
            throw new GranaryException(ErrorCode.AUTHORIZATION_MALFORMED, "The request needs an x-amz-date (or Date) header.");
        }
        try {
            return LocalDateTime.parse(amzDate, AMZ_DATE).toInstant(ZoneOffset.UTC);
        } catch (DateTimeParseException e) {
            throw new GranaryException(ErrorCode.AUTHORIZATION_MALFORMED, "x-amz-date must read yyyyMMdd'T'HHmmss'Z', not '" + amzDate + "'.");
        }
    }

    private static String fromHttpDate(String date) {
        if (date == null) {
            return null;
        }
        try {
            return AMZ_DATE.format(ZonedDateTime.parse(date, DateTimeFormatter.RFC_1123_DATE_TIME).withZoneSameInstant(ZoneOffset.UTC));
        } catch (DateTimeParseException e) {
            throw new GranaryException(ErrorCode.AUTHORIZATION_MALFORMED, "The Date header is not an HTTP date.");
        }
    }
}
