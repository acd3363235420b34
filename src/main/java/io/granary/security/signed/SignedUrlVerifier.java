package io.granary.security.signed;

import io.granary.error.ErrorCode;
import io.granary.error.GranaryException;
import io.granary.security.JwtIdentity;
import io.granary.security.Permission;
import io.granary.security.Principal;
import io.granary.apikey.ApiKeyService;
import io.granary.user.UserService;
import java.time.Clock;
import java.time.Instant;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;

/**
 * Turns a signed URL's token into the narrow {@link Principal.Grant} it stands for, after
 * checking its signature (with the key it names), its expiry and that the key that issued it
 * is still active. Whether the grant fits the request (bucket, key, method, limits) is checked
 * where those are known: the services. Upload-intent tokens ({@value #UPLOAD}) are verified
 * the same way but only by {@link #verifyUpload}: they are never a grant on an object route.
 */
@Component
public class SignedUrlVerifier {

    /** The method of upload-intent tokens. */
    static final String UPLOAD = "UPLOAD";

    private final SignedUrlCodec codec;
    private final SigningKeyService keys;
    /** Issuing credential of URLs made by users of external issuers: nothing to check later. */
    static final String EXTERNAL_ISSUER = "external";

    private final ApiKeyService apiKeys;
    private final UserService users;

    private final Clock clock;

    SignedUrlVerifier(SignedUrlCodec codec, SigningKeyService keys, ApiKeyService apiKeys, UserService users,
                      ObjectProvider<Clock> clock) {
        this.codec = codec;
        this.keys = keys;
        this.apiKeys = apiKeys;
        this.users = users;
        // The issuer's clock (SignedUrlService), so a test can live through a URL's days in an instant.
        this.clock = clock.getIfAvailable(Clock::systemUTC);
    }

    /** The grant, or an error: {@code signed_url_invalid} or {@code signed_url_expired}. */
    public Mono<Principal.Grant> verify(String token) {
        return authentic(token).map(payload -> {
            Permission permission = switch (payload.m()) {
                case "GET" -> Permission.READ;
                case "PUT" -> Permission.WRITE;
                // UPLOAD tokens included: they only ever open their upload route.
                default -> throw SignedUrlCodec.invalid();
            };
            return new Principal.Grant(payload.t(), payload.b(), payload.k(), permission, payload.ct(),
                    payload.max(), payload.d(), payload.tf());
        });
    }

    /**
     * What an upload-intent token allows, or an error: {@code signed_url_invalid} (also for any
     * other kind of token) or {@code signed_url_expired}.
     */
    public Mono<UploadGrant> verifyUpload(String token) {
        return authentic(token).map(payload -> {
            if (!UPLOAD.equals(payload.m()) || payload.u() == null || payload.ct() == null || payload.max() == null) {
                throw SignedUrlCodec.invalid();
            }
            return new UploadGrant(payload.t(), payload.b(), payload.k(), payload.u(), payload.ct(), payload.max());
        });
    }

    /** The payload of a token signed by a stored key, unexpired, whose issuing key is still active. */
    private Mono<SignedUrlToken> authentic(String token) {
        SignedUrlToken payload;
        try {
            payload = codec.peek(token);
        } catch (GranaryException e) {
            return Mono.error(e);
        }
        return keys.find(payload.kid())
                .filter(key -> codec.verify(token, key))
                .switchIfEmpty(Mono.error(SignedUrlCodec::invalid))
                .map(key -> {
                    // Expiry is checked only once the signature holds: an attacker learns nothing
                    // from a forged token's expiry.
                    if (clock.instant().getEpochSecond() >= payload.exp()) {
                        throw new GranaryException(ErrorCode.SIGNED_URL_EXPIRED, "The signed URL expired at "
                                + Instant.ofEpochSecond(payload.exp()) + ".");
                    }
                    return payload;
                })
                // A URL lives no longer than the key or user that issued it: revoked, expired,
                // disabled or deleted means revoked.
                .filterWhen(valid -> issuerActive(payload.ik(), payload.t()))
                .switchIfEmpty(Mono.error(() -> new GranaryException(ErrorCode.SIGNED_URL_INVALID,
                        "The key or user that issued this signed URL was revoked, disabled or has expired.")));
    }

    private Mono<Boolean> issuerActive(String issuingCredential, String tenantId) {
        if (EXTERNAL_ISSUER.equals(issuingCredential)) {
            return Mono.just(true);
        }
        if (issuingCredential.startsWith(JwtIdentity.USER_CREDENTIAL_PREFIX)) {
            return users.isActive(issuingCredential.substring(JwtIdentity.USER_CREDENTIAL_PREFIX.length()), tenantId);
        }
        return apiKeys.isActive(issuingCredential, tenantId);
    }
}
