package io.granary.storage.s3;

import io.granary.error.ErrorCode;
import io.granary.error.GranaryException;
import java.io.IOException;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;
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

    private static final int MAX_DEPTH = 32;

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
        // Details such as the store's address stay in the cause (for logs), out of the message
        // (which clients see).
        if (isUnreachable(error)) {
            return new GranaryException(ErrorCode.STORE_UNAVAILABLE, "The blob store did not answer.", error);
        }
        return new GranaryException(ErrorCode.STORE_ERROR, "The blob store request failed.", error);
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
        // Netty's ReadTimeoutException and the pool's acquire timeout are neither IOExceptions
        // nor java.util.concurrent timeouts, hence the name check.
        return find(error, Throwable.class, t -> t instanceof IOException || t instanceof TimeoutException
                || t instanceof ApiCallTimeoutException || t instanceof ApiCallAttemptTimeoutException
                || t.getClass().getSimpleName().contains("Timeout")) != null;
    }

    private static <T extends Throwable> T find(Throwable error, Class<T> type) {
        return find(error, type, t -> true);
    }

    /** The first throwable of the cause chain that is a {@code type} and passes {@code test}. */
    private static <T extends Throwable> T find(Throwable error, Class<T> type, Predicate<Throwable> test) {
        Throwable t = error;
        // The depth bound guards against cause cycles, which Throwable permits.
        for (int depth = 0; t != null && depth < MAX_DEPTH; depth++, t = t.getCause()) {
            if (type.isInstance(t) && test.test(t)) {
                return type.cast(t);
            }
        }
        return null;
    }
}
