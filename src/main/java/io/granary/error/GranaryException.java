package io.granary.error;

import java.util.Map;

/**
 * The one exception type crossing layer boundaries. Adapters translate their own failures
 * (S3, I/O, MongoDB) into it; front-ends render it once, in their own format.
 *
 * <p>A refusal (a {@code 4xx} code) carries no stack trace and takes no suppressed exceptions:
 * it is an answer, not a fault, and a flood of refused requests must cost less than serving
 * them. Filling in a stack trace through a reactive call chain, and the traces Reactor's
 * checkpoints attach as suppressed exceptions, cost more than a cached read. Server errors keep
 * both, for the log.
 */
public class GranaryException extends RuntimeException {

    private final ErrorCode code;
    private final Map<String, String> responseHeaders;

    public GranaryException(ErrorCode code) {
        this(code, code.title(), (Throwable) null);
    }

    public GranaryException(ErrorCode code, String detail) {
        this(code, detail, (Throwable) null);
    }

    public GranaryException(ErrorCode code, String detail, Throwable cause) {
        this(code, detail, cause, Map.of());
    }

    /** A failure whose response needs extra headers ({@code Content-Range} on a 416, {@code Allow} on a 405). */
    public GranaryException(ErrorCode code, String detail, Map<String, String> responseHeaders) {
        this(code, detail, null, responseHeaders);
    }

    private GranaryException(ErrorCode code, String detail, Throwable cause, Map<String, String> responseHeaders) {
        super(detail, cause, !code.status().is4xxClientError(), !code.status().is4xxClientError());
        this.code = code;
        this.responseHeaders = Map.copyOf(responseHeaders);
    }

    public ErrorCode code() {
        return code;
    }

    /** Extra response headers the failure calls for. */
    public Map<String, String> responseHeaders() {
        return responseHeaders;
    }
}
