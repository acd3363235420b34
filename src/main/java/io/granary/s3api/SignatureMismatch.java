package io.granary.s3api;

import io.granary.error.ErrorCode;
import io.granary.error.GranaryException;

/**
 * A signature that does not match, with what it was compared against: S3 answers with the
 * canonical request and the string to sign, so a client behind a proxy that changed a header
 * or the path can see which.
 */
final class SignatureMismatch extends GranaryException {

    final String accessKeyId;
    final String signatureProvided;
    final String canonicalRequest;
    final String stringToSign;

    SignatureMismatch(String accessKeyId, String signatureProvided, String canonicalRequest, String stringToSign) {
        super(ErrorCode.SIGNATURE_MISMATCH, "The request signature we calculated does not match the signature you provided."
                + " Check your key and signing method.");
        this.accessKeyId = accessKeyId;
        this.signatureProvided = signatureProvided;
        this.canonicalRequest = canonicalRequest;
        this.stringToSign = stringToSign;
    }
}
