package io.granary.s3api;

import io.granary.error.ErrorCode;
import io.granary.error.GranaryException;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import org.springframework.http.HttpHeaders;

/**
 * The checksum S3 requires of some small request documents (DeleteObjects, PutObjectTagging):
 * {@code Content-MD5} or any {@code x-amz-checksum-*} header, checked against the whole body
 * before the request changes anything.
 */
final class S3BodyChecksum {

    private S3BodyChecksum() {
    }

    /**
     * Fails with {@code BadDigest} when the body does not match the declared checksum, and with
     * {@code InvalidRequest} when none is declared; {@code unchanged} says what was left as it
     * was (e.g. "nothing was deleted").
     */
    static void require(HttpHeaders headers, byte[] body, String unchanged) {
        String md5 = headers.getFirst("Content-MD5");
        if (md5 != null) {
            if (!md5.strip().equals(Base64.getEncoder().encodeToString(md5(body)))) {
                throw new GranaryException(ErrorCode.BAD_DIGEST, "The body's MD5 does not match Content-MD5; " + unchanged + ".");
            }
            return;
        }
        S3Payload.DeclaredChecksum declared = S3Payload.declared(headers);
        if (declared != null) {
            declared.checksum().update(ByteBuffer.wrap(body));
            declared.checksum().verify(declared.value());
            return;
        }
        throw new GranaryException(ErrorCode.INVALID_REQUEST,
                "Missing required header for this request: Content-MD5 or an x-amz-checksum-* header.");
    }

    private static byte[] md5(byte[] body) {
        try {
            return MessageDigest.getInstance("MD5").digest(body);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("MD5 is required of every JVM", e);
        }
    }
}
