package io.granary.s3api;

/**
 * What an S3 request addresses: the service, a bucket, or an object in it, decoded from the
 * request ({@link S3Addressing}) or from a path-style reference such as {@code x-amz-copy-source}.
 *
 * @param bucket {@code null} for the service
 * @param key {@code null} for the service or a bucket
 */
record S3Path(String bucket, String key) {

    /** A path-style path as sent: {@code /} (the service), {@code /bucket} or {@code /bucket/key}. */
    static S3Path parse(String rawPath) {
        return S3Address.pathStyle(rawPath).path();
    }
}
