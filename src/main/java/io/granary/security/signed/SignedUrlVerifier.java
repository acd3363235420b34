package io.granary.security.signed;

import io.granary.error.ErrorCode;
import io.granary.error.GranaryException;
import io.granary.security.Permission;
import io.granary.security.Principal;
import io.granary.apikey.ApiKeyService;
import java.time.Instant;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;

/**
 * Turns a signed URL's token into the narrow {@link Principal.Grant} it stands for, after
 * checking its signature (with the key it names) and its expiry. Whether the grant fits the
 * request (bucket, key, method, limits) is checked where those are known: the services.
 */
@Component
public class SignedUrlVerifier {

    private final SignedUrlCodec codec;
    private final SigningKeyService keys;
    private final ApiKeyService apiKeys;

    SignedUrlVerifier(SignedUrlCodec codec, SigningKeyService keys, ApiKeyService apiKeys) {
        this.codec = codec;
        this.keys = keys;
        this.apiKeys = apiKeys;
    }

    /** The grant, or an error: {@code signed_url_invalid} or {@code signed_url_expired}. */
    public Mono<Principal.Grant> verify(String token) {
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
                    if (Instant.now().getEpochSecond() >= payload.exp()) {
                        throw new GranaryException(ErrorCode.SIGNED_URL_EXPIRED, "The signed URL expired at "
                                + Instant.ofEpochSecond(payload.exp()) + ".");
                    }
                    Permission permission = switch (payload.m()) {
                        case "GET" -> Permission.READ;
                        case "PUT" -> Permission.WRITE;
                        default -> throw SignedUrlCodec.invalid();
                    };
                    return new Principal.Grant(payload.t(), payload.b(), payload.k(), permission, payload.ct(),
                            payload.max(), payload.d());
                })
                // A URL lives no longer than the key that issued it: revoked or expired means revoked.
                .filterWhen(grant -> apiKeys.isActive(payload.ik(), payload.t()))
                .switchIfEmpty(Mono.error(() -> new GranaryException(ErrorCode.SIGNED_URL_INVALID,
                        "The key that issued this signed URL was revoked or has expired.")));
    }
}
