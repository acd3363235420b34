package io.granary.storage.s3;

import io.granary.error.ErrorCode;
import io.granary.error.GranaryException;
import java.io.IOException;
import java.util.concurrent.CancellationException;
import java.util.concurrent.TimeoutException;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.ApiCallAttemptTimeoutException;
import software.amazon.awssdk.core.exception.ApiCallTimeoutException;
import software.amazon.awssdk.core.exception.SdkServiceException;
import software.amazon.awssdk.services.s3.model.NoSuchBucketException;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;

/**
 * Turns whatever the AWS SDK fails with into the {@link GranaryException} the {@code BlobStore}
 * port promises. The SDK wraps freely (CompletionException, SdkClientException around an
 * IOException, ...), so every decision looks through the whole cause chain.
 */
final class S3Errors {

    private S3Errors() {
    }

    /** The {@code GranaryException} that stands for {@code error}. */
    static GranaryException translate(Throwable error) {
        // Someone above us already decided (e.g. the caller's size limiter failing the body).
        GranaryException granary = find(error, GranaryException.class);
        if (granary != null) {
            return granary;
        }
        SdkServiceException service = find(error, SdkServiceException.class);
        if (service != null) {
            return fromService(service);
        }
        if (isUnreachable(error)) {
            return new GranaryException(ErrorCode.STORE_UNAVAILABLE,
                    "The blob store did not answer: " + describe(error), error);
        }
        return new GranaryException(ErrorCode.STORE_ERROR, "The blob store request failed: " + describe(error), error);
    }

    /** Whether the store answered 404, for a key or for the bucket itself. */
    static boolean isNotFound(Throwable error) {
        SdkServiceException service = find(error, SdkServiceException.class);
        return service != null && (service.statusCode() == 404 || service instanceof NoSuchKeyException);
    }

    /**
     * Whether the store reported an absent key. A HEAD response has no body to tell a missing
     * key from a missing bucket, so any 404 counts unless the store named the bucket.
     */
    static boolean isMissingKey(Throwable error) {
        return isNotFound(error) && !isMissingBucket(error);
    }

    private static boolean isMissingBucket(Throwable error) {
        return find(error, NoSuchBucketException.class) != null || "NoSuchBucket".equals(errorCode(error));
    }

    /** The S3 error code (e.g. {@code NoSuchUpload}) of a service error, or {@code null}. */
    static String errorCode(Throwable error) {
        AwsServiceException aws = find(error, AwsServiceException.class);
        return aws == null || aws.awsErrorDetails() == null ? null : aws.awsErrorDetails().errorCode();
    }

    private static GranaryException fromService(SdkServiceException service) {
        String code = errorCode(service);
        if (isMissingBucket(service)) {
            // The store bucket is configuration, not data: its absence is an operator problem.
            return new GranaryException(ErrorCode.STORE_ERROR, "The store bucket does not exist.", service);
        }
        if (isMissingKey(service)) {
            return new GranaryException(ErrorCode.BLOB_NOT_FOUND, ErrorCode.BLOB_NOT_FOUND.title(), service);
        }
        String detail = "The blob store answered HTTP " + service.statusCode()
                + (code == null ? "" : " " + code) + ".";
        if (service.statusCode() == 503) {
            // SlowDown / ServiceUnavailable survived the SDK's retries: worth retrying later.
            return new GranaryException(ErrorCode.STORE_UNAVAILABLE, detail, service);
        }
        return new GranaryException(ErrorCode.STORE_ERROR, detail, service);
    }

    private static boolean isUnreachable(Throwable error) {
        for (Throwable t = error; t != null; t = t.getCause()) {
            // Netty's ReadTimeoutException and the pool's acquire timeout are neither IOExceptions
            // nor java.util.concurrent timeouts, hence the name check.
            if (t instanceof IOException || t instanceof TimeoutException
                    || t instanceof ApiCallTimeoutException || t instanceof ApiCallAttemptTimeoutException
                    || t.getClass().getSimpleName().contains("Timeout")) {
                return true;
            }
            if (t.getCause() == t) {
                break;
            }
        }
        return false;
    }

    private static String describe(Throwable error) {
        Throwable root = error;
        while (root.getCause() != null && root.getCause() != root && !(root instanceof CancellationException)) {
            root = root.getCause();
        }
        String message = root.getMessage();
        return message == null ? root.getClass().getSimpleName() : message;
    }

    private static <T extends Throwable> T find(Throwable error, Class<T> type) {
        for (Throwable t = error; t != null; t = t.getCause()) {
            if (type.isInstance(t)) {
                return type.cast(t);
            }
            if (t.getCause() == t) {
                break;
            }
        }
        return null;
    }
}
