package io.granary.s3api;

import io.granary.error.ErrorCode;
import io.granary.error.GranaryException;

/**
 * The chain of signatures of a signed aws-chunked body: each chunk's signature signs its data's
 * SHA-256 together with the signature before it, starting from the request's own (the seed);
 * a signed trailer's signature comes last in the chain. One per request.
 */
final class ChunkSigning {

    private final String secret;
    private final String amzDate;
    private final String date;
    private final String region;
    private String previous;

    ChunkSigning(String secret, String amzDate, String date, String region, String seedSignature) {
        this.secret = secret;
        this.amzDate = amzDate;
        this.date = date;
        this.region = region;
        this.previous = seedSignature;
    }

    /** Fails with {@code SignatureDoesNotMatch} unless {@code given} signs a chunk whose data has this SHA-256. */
    void verifyChunk(String given, String dataSha256) {
        String stringToSign = "AWS4-HMAC-SHA256-PAYLOAD\n" + amzDate + "\n" + scope() + "\n" + previous + "\n"
                + SigV4.sha256Hex("") + "\n" + dataSha256;
        check(given, stringToSign, "a chunk");
    }

    /** Fails unless {@code given} signs these trailer lines ({@code name:value\n} each). */
    void verifyTrailer(String given, String trailerLines) {
        String stringToSign = "AWS4-HMAC-SHA256-TRAILER\n" + amzDate + "\n" + scope() + "\n" + previous + "\n"
                + SigV4.sha256Hex(trailerLines);
        check(given, stringToSign, "the trailer");
    }

    private void check(String given, String stringToSign, String what) {
        String expected = SigV4.signature(secret, date, region, "s3", stringToSign);
        if (given == null || !SigV4.sameSignature(expected, given)) {
            throw new GranaryException(ErrorCode.SIGNATURE_MISMATCH, "The signature of " + what
                    + " does not match; nothing was stored. String to sign: " + stringToSign.replace("\n", "\\n"));
        }
        previous = expected;
    }

    private String scope() {
        return date + "/" + region + "/s3/aws4_request";
    }
}
