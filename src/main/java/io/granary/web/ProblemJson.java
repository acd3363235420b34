package io.granary.web;

import io.granary.error.ErrorCode;
import io.granary.error.GranaryException;
import java.nio.charset.StandardCharsets;
import java.util.function.BiConsumer;
import tools.jackson.core.io.JsonStringEncoder;

/**
 * The REST API's rendering of a failure: an RFC 9457 {@code application/problem+json} body with
 * the stable {@code code} and the request id, and the headers the failure calls for. One
 * rendering for every place that answers a failure (the exception handler, and the hot read path
 * that refuses on Reactor Netty directly), so the two can never differ. Written directly rather
 * than through an object mapper: a refusal must cost less than serving the request.
 */
public final class ProblemJson {

    public static final String CONTENT_TYPE = "application/problem+json";
    private static final String TYPE_PREFIX = "https://granary.io/problems/";

    private ProblemJson() {
    }

    /** The body for {@code problem} answered to a request for {@code path} with id {@code requestId}. */
    public static byte[] body(GranaryException problem, String path, String requestId) {
        ErrorCode code = problem.code();
        StringBuilder json = new StringBuilder(256)
                .append("{\"type\":\"").append(TYPE_PREFIX).append(code.code())
                .append("\",\"title\":\"");
        quoted(json, code.title()).append("\",\"status\":").append(code.status().value()).append(",\"detail\":\"");
        quoted(json, problem.getMessage() == null ? code.title() : problem.getMessage()).append("\",\"instance\":\"");
        quoted(json, path).append("\",\"code\":\"").append(code.code()).append("\",\"requestId\":\"");
        quoted(json, requestId).append("\"}");
        return json.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** Passes each header {@code problem} calls for to {@code header}: its own, and the challenge of a 401. */
    public static void headers(GranaryException problem, BiConsumer<String, String> header) {
        problem.responseHeaders().forEach(header);
        if (problem.code() == ErrorCode.UNAUTHENTICATED) {
            header.accept("WWW-Authenticate", "Bearer realm=\"granary\"");
        } else if (problem.code() == ErrorCode.INVALID_TOKEN || problem.code() == ErrorCode.TOKEN_EXPIRED) {
            // RFC 6750: tells OAuth clients to refresh or re-authenticate rather than retry.
            header.accept("WWW-Authenticate", "Bearer realm=\"granary\", error=\"invalid_token\"");
        }
    }

    private static StringBuilder quoted(StringBuilder json, String text) {
        JsonStringEncoder.getInstance().quoteAsString(text, json);
        return json;
    }
}
