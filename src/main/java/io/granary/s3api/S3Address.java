package io.granary.s3api;

import io.granary.error.ErrorCode;
import io.granary.error.GranaryException;
import io.granary.object.ObjectKeys;
import java.nio.charset.StandardCharsets;
import org.springframework.web.util.UriUtils;

/**
 * The bucket a request names, as the client addressed it (in the path or in the Host), and the
 * raw path after it, not yet decoded: what both a signed request ({@link #path()}) and an
 * unsigned one (whose bucket position names a tenant) are read from.
 *
 * @param bucket the decoded bucket name; {@code null} for the service ({@code /} in path style)
 * @param rawRest the path after the bucket as sent: empty or starting with {@code /}
 */
record S3Address(String bucket, String rawRest) {

    /** {@code /bucket/key}: the first segment is the bucket. */
    static S3Address pathStyle(String rawPath) {
        String path = rawPath == null || rawPath.isEmpty() ? "/" : rawPath;
        if (path.length() <= 1) {
            return new S3Address(null, "");
        }
        int slash = path.indexOf('/', 1);
        String bucket = decode(slash < 0 ? path.substring(1) : path.substring(1, slash));
        return new S3Address(bucket, slash < 0 ? "" : path.substring(slash));
    }

    private static String decode(String raw) {
        try {
            return UriUtils.decode(raw, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            // A request's URI cannot hold a broken escape, but an x-amz-copy-source header can: the client's error, not a 500.
            throw new GranaryException(ErrorCode.INVALID_BUCKET_NAME, "The bucket name in the path has a malformed percent-escape.");
        }
    }

    /** {@code bucket.<domain>}: the whole path is the key, {@code /} alone the bucket. */
    static S3Address virtualHost(String bucket, String rawPath) {
        return new S3Address(bucket, rawPath == null ? "" : rawPath);
    }

    /** The bucket and the decoded key; the key is {@code null} when the path ends at the bucket. */
    S3Path path() {
        if (bucket == null) {
            return new S3Path(null, null);
        }
        return rawRest.length() <= 1 ? new S3Path(bucket, null) : new S3Path(bucket, ObjectKeys.fromRawPath(rawRest.substring(1)));
    }
}
