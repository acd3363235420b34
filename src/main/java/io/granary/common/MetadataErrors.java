package io.granary.common;

import com.mongodb.MongoNodeIsRecoveringException;
import com.mongodb.MongoNotPrimaryException;
import com.mongodb.MongoSocketException;
import com.mongodb.MongoTimeoutException;
import io.granary.error.ErrorCode;
import io.granary.error.GranaryException;
import org.springframework.dao.DataAccessResourceFailureException;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.dao.QueryTimeoutException;
import org.springframework.dao.TransientDataAccessException;

/**
 * Translation of MongoDB failures for the repository adapters: an unreachable, timing-out or
 * electing database becomes a 503 {@code metadata_unavailable} the client can retry, rather
 * than a 500. Other failures are not retryable and stay as they are (a 500 is then a bug to
 * fix); duplicate keys are left for the repository that expects them.
 */
public final class MetadataErrors {

    private MetadataErrors() {
    }

    public static Throwable translate(Throwable error) {
        if (error instanceof GranaryException || error instanceof DuplicateKeyException) {
            return error;
        }
        if (error instanceof DataAccessResourceFailureException || error instanceof TransientDataAccessException
                || error instanceof QueryTimeoutException || error instanceof MongoSocketException
                || error instanceof MongoTimeoutException || error instanceof MongoNotPrimaryException
                || error instanceof MongoNodeIsRecoveringException) {
            return new GranaryException(ErrorCode.METADATA_UNAVAILABLE,
                    "The metadata database did not answer; retry shortly.", error);
        }
        return error;
    }
}
