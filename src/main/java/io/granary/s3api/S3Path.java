package io.granary.s3api;

import io.granary.object.ObjectKeys;
import java.nio.charset.StandardCharsets;
import org.springframework.web.util.UriUtils;

/**
 * What a path-style S3 request addresses: {@code /} (the service), {@code /bucket} or
 * {@code /bucket/key}, decoded from the path as sent.
 *
 * @param bucket {@code null} for the service
 * @param key {@code null} for the service or a bucket
 */
record S3Path(String bucket, String key) {

    static S3Path parse(String rawPath) {
        String path = rawPath == null || rawPath.isEmpty() ? "/" : rawPath;
        int slash = path.indexOf('/', 1);
        if (path.length() <= 1) {
            return new S3Path(null, null);
        }
        String bucket = UriUtils.decode(slash < 0 ? path.substring(1) : path.substring(1, slash), StandardCharsets.UTF_8);
        if (slash < 0 || slash == path.length() - 1) {
            return new S3Path(bucket, null);
        }
        return new S3Path(bucket, ObjectKeys.fromRawPath(path.substring(slash + 1)));
    }
}
