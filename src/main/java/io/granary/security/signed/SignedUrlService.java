package io.granary.security.signed;

import io.granary.audit.AuditEventType;
import io.granary.audit.AuditLog;
import io.granary.bucket.BucketService;
import io.granary.config.GranaryProperties;
import io.granary.error.ErrorCode;
import io.granary.error.GranaryException;
import io.granary.object.ObjectKeys;
import io.granary.security.Permission;
import io.granary.security.Principal;
import java.time.Clock;
import java.time.Instant;
import java.util.Map;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.http.InvalidMediaTypeException;
import org.springframework.http.MediaType;
import org.springframework.stereotype.Service;
import reactor.core.publisher.Mono;

/**
 * Issues signed URLs. A caller can only delegate what it holds itself: a GET URL needs
 * {@code read} on the bucket, a PUT URL {@code write}; URLs cannot be made from URLs.
 */
@Service
public class SignedUrlService {

    static final long MIN_TTL = GranaryProperties.SignedUrls.MIN_TTL.toSeconds();
    static final long DEFAULT_TTL = 3_600;

    private final BucketService buckets;
    private final SigningKeyService keys;
    private final SignedUrlCodec codec;
    private final AuditLog audit;
    private final TransformValidator transforms;
    /** {@code granary.signed-urls.max-ttl} in seconds. */
    private final long maxTtl;
    private final Clock clock;

    SignedUrlService(BucketService buckets, SigningKeyService keys, SignedUrlCodec codec, AuditLog audit,
                     TransformValidator transforms, GranaryProperties properties, ObjectProvider<Clock> clock) {
        this.buckets = buckets;
        this.keys = keys;
        this.codec = codec;
        this.audit = audit;
        this.transforms = transforms;
        this.maxTtl = properties.signedUrls().maxTtl().toSeconds();
        // The verifier's clock too, so a test can live through a URL's days in an instant.
        this.clock = clock.getIfAvailable(Clock::systemUTC);
    }

    /** What a caller asks for. */
    public record Request(String key, String method, Long ttlSeconds, String download, String contentType, Long maxSize,
                          Map<String, String> transform) {
    }

    /** A token and when it stops working; the caller builds the URL around it. */
    public record Issued(String token, Instant expiresAt) {
    }

    public Mono<Issued> issue(Principal principal, String bucketName, Request request) {
        if (!(principal instanceof Principal.Member member)) {
            return Mono.error(new GranaryException(ErrorCode.FORBIDDEN, "Signed URLs are issued with a tenant's key or user token."));
        }
        ObjectKeys.require(request.key());
        Permission permission = permissionFor(request);
        String method = permission == Permission.READ ? "GET" : "PUT";
        long ttl = request.ttlSeconds() == null ? Math.min(DEFAULT_TTL, maxTtl) : request.ttlSeconds();
        if (ttl < MIN_TTL || ttl > maxTtl) {
            return Mono.error(new GranaryException(ErrorCode.INVALID_REQUEST, "'ttlSeconds' must be from " + MIN_TTL
                    + " to " + maxTtl + " seconds (the server's limit, granary.signed-urls.max-ttl)."));
        }
        if (request.maxSize() != null && request.maxSize() <= 0) {
            return Mono.error(new GranaryException(ErrorCode.INVALID_REQUEST, "'maxSize' must be positive."));
        }
        Instant expiresAt = clock.instant().plusSeconds(ttl).truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
        return buckets.resolve(principal, bucketName, permission)
                .zipWith(keys.current())
                .map(pair -> new Issued(codec.encode(new SignedUrlToken(1, pair.getT2().kid(), principal.tenantId(),
                        pair.getT1().id(), request.key(), method, expiresAt.getEpochSecond(),
                        request.download(), request.contentType(), request.maxSize(),
                        issuingCredential(member), null, pin(request)), pair.getT2()), expiresAt))
                .flatMap(issued -> audit.record(principal, principal.tenantId(), AuditEventType.SIGNED_URL_ISSUED,
                        "object:" + bucketName + "/" + request.key(),
                        Map.of("method", method, "expiresAt", expiresAt.toString())).thenReturn(issued));
    }

    /** What the URL stays tied to; an external issuer's user has nothing Granary could check later. */
    private static String issuingCredential(Principal.Member member) {
        return member.issuingCredential() != null ? member.issuingCredential() : SignedUrlVerifier.EXTERNAL_ISSUER;
    }

    /**
     * The token of an upload intent's Granary URL: it lets its holder send the bytes of that one
     * intent (exactly {@code size} bytes of {@code contentType} into bucket {@code bucketId},
     * key {@code key}) until {@code expiresAt}, and nothing else; it dies with the issuing key
     * or user like any signed URL. The caller has checked the issuer's right to write there.
     */
    public Mono<String> signUpload(Principal.Member issuer, String bucketId, String key, String uploadId,
                                   String contentType, long size, Instant expiresAt) {
        return keys.current().map(signingKey -> codec.encode(new SignedUrlToken(1, signingKey.kid(), issuer.tenantId(),
                bucketId, key, SignedUrlVerifier.UPLOAD, expiresAt.getEpochSecond(), null, contentType, size,
                issuingCredential(issuer), uploadId, null), signingKey));
    }

    /** The transform a GET URL is pinned to, checked; {@code null} when it allows any. */
    private String pin(Request request) {
        if (request.transform() == null) {
            return null;
        }
        transforms.validate(request.transform());
        return TransformPin.of(request.transform());
    }

    private static Permission permissionFor(Request request) {
        if (request.download() != null && (request.download().isBlank() || request.download().length() > 255
                || request.download().chars().anyMatch(Character::isISOControl))) {
            throw new GranaryException(ErrorCode.INVALID_REQUEST, "'download' must be a file name of 1-255 printable characters.");
        }
        if (request.method() == null || "GET".equals(request.method())) {
            if (request.contentType() != null || request.maxSize() != null) {
                throw new GranaryException(ErrorCode.INVALID_REQUEST, "'contentType' and 'maxSize' apply to PUT URLs only.");
            }
            return Permission.READ;
        }
        if ("PUT".equals(request.method())) {
            if (request.download() != null || request.transform() != null) {
                throw new GranaryException(ErrorCode.INVALID_REQUEST, "'download' and 'transform' apply to GET URLs only.");
            }
            if (request.contentType() != null) {
                MediaType pinned;
                try {
                    pinned = MediaType.parseMediaType(request.contentType());
                } catch (InvalidMediaTypeException e) {
                    throw new GranaryException(ErrorCode.INVALID_REQUEST, "'contentType' is not a media type.");
                }
                if (pinned.isWildcardType() || pinned.isWildcardSubtype()) {
                    throw new GranaryException(ErrorCode.INVALID_REQUEST, "'contentType' must be a concrete media type.");
                }
            }
            return Permission.WRITE;
        }
        throw new GranaryException(ErrorCode.INVALID_REQUEST, "'method' must be GET or PUT.");
    }
}
