package io.granary.security.signed;

import io.granary.error.ErrorCode;
import io.granary.error.GranaryException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.springframework.stereotype.Component;
import tools.jackson.databind.json.JsonMapper;

/**
 * The token format: {@code base64url(payload JSON) "." base64url(HMAC-SHA256(secret, first part))}.
 * The MAC covers the exact payload bytes sent, so nothing in the payload can be altered, and
 * the key id in the payload selects the secret that must have made it.
 */
@Component
class SignedUrlCodec {

    static final int MAX_TOKEN_LENGTH = 4096;
    private static final Base64.Encoder ENCODER = Base64.getUrlEncoder().withoutPadding();
    private static final Base64.Decoder DECODER = Base64.getUrlDecoder();

    private final JsonMapper json;

    SignedUrlCodec(JsonMapper json) {
        this.json = json;
    }

    String encode(SignedUrlToken token, SigningKey key) {
        String payload = ENCODER.encodeToString(json.writeValueAsBytes(token));
        return payload + "." + ENCODER.encodeToString(mac(key, payload));
    }

    /** The payload, unverified: only to learn which key must have signed it. */
    SignedUrlToken peek(String token) {
        int dot = token.indexOf('.');
        if (token.length() > MAX_TOKEN_LENGTH || dot <= 0 || dot != token.lastIndexOf('.')) {
            throw invalid();
        }
        try {
            SignedUrlToken payload = json.readValue(DECODER.decode(token.substring(0, dot)), SignedUrlToken.class);
            if (payload.v() != 1 || payload.kid() == null || payload.t() == null || payload.b() == null
                    || payload.k() == null || payload.m() == null || payload.ik() == null) {
                throw invalid();
            }
            return payload;
        } catch (RuntimeException e) {
            throw e instanceof GranaryException g ? g : invalid();
        }
    }

    /** Whether {@code token} carries a valid MAC made with {@code key}; constant-time. */
    boolean verify(String token, SigningKey key) {
        int dot = token.indexOf('.');
        String signature = token.substring(dot + 1);
        byte[] given;
        try {
            given = DECODER.decode(signature);
        } catch (IllegalArgumentException e) {
            return false;
        }
        // Only the canonical spelling counts, so one grant has exactly one token string.
        return ENCODER.encodeToString(given).equals(signature) && MessageDigest.isEqual(mac(key, token.substring(0, dot)), given);
    }

    private static byte[] mac(SigningKey key, String payload) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(DECODER.decode(key.secret()), "HmacSHA256"));
            return mac.doFinal(payload.getBytes(StandardCharsets.US_ASCII));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is required of every JVM", e);
        }
    }

    static GranaryException invalid() {
        return new GranaryException(ErrorCode.SIGNED_URL_INVALID, "The signed URL's token is not valid.");
    }
}
