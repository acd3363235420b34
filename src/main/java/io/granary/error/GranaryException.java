package io.granary.error;

/**
 * The one exception type crossing layer boundaries. Adapters translate their own failures
 * (S3, I/O, MongoDB) into it; front-ends render it once, in their own format.
 */
public class GranaryException extends RuntimeException {

    private final ErrorCode code;

    public GranaryException(ErrorCode code) {
        this(code, code.title(), null);
    }

    public GranaryException(ErrorCode code, String detail) {
        this(code, detail, null);
    }

    public GranaryException(ErrorCode code, String detail, Throwable cause) {
        super(detail, cause);
        this.code = code;
    }

    public ErrorCode code() {
        return code;
    }

    /** Extra response headers the failure calls for (e.g. {@code Content-Range} on a 416). */
    public java.util.Map<String, String> responseHeaders() {
        return java.util.Map.of();
    }
}
