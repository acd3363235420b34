package io.granary.web;

import io.granary.common.DiscardedBuffers;
import io.granary.error.ErrorCode;
import io.granary.error.GranaryException;
import io.granary.security.Principal;
import java.net.URI;
import java.util.Map;
import io.netty.handler.timeout.ReadTimeoutException;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.codec.DecodingException;
import org.springframework.core.io.buffer.DataBufferLimitException;
import org.springframework.http.MediaType;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.server.ServerWebInputException;
import org.springframework.web.server.UnsupportedMediaTypeStatusException;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/** Small HTTP-only helpers shared by the handlers. */
public final class Requests {

    /** Request attribute holding the authenticated {@link Principal}. */
    public static final String PRINCIPAL = Requests.class.getName() + ".principal";

    private Requests() {
    }

    public static Principal principal(ServerRequest request) {
        return (Principal) request.attribute(PRINCIPAL)
                .orElseThrow(() -> new GranaryException(ErrorCode.UNAUTHENTICATED));
    }

    /**
     * The base of URLs handed to clients: {@code configured} ({@code granary.public-url}) without
     * a trailing slash, else the scheme and authority the request was sent to.
     */
    public static String baseUrl(ServerRequest request, URI configured) {
        if (configured != null) {
            String base = configured.toString();
            return base.endsWith("/") ? base.substring(0, base.length() - 1) : base;
        }
        URI uri = request.uri();
        return uri.getScheme() + "://" + uri.getRawAuthority();
    }

    /**
     * The request's body as it arrives, for the paths that store it, with the buffers operators
     * drop released once ({@link DiscardedBuffers}). A body the connection failed to deliver
     * whole (reset, closed before its end, stalled past the read timeout) fails with
     * {@code 400 incomplete_body}, the client's doing and not a server error; a body whose
     * framing broke already fails with {@code malformed_body} ({@link BodyFraming}).
     */
    public static Flux<DataBuffer> body(ServerRequest request) {
        return DiscardedBuffers.release(request.bodyToFlux(DataBuffer.class)
                .onErrorMap(error -> !(error instanceof GranaryException), error -> new GranaryException(ErrorCode.INCOMPLETE_BODY,
                        error instanceof ReadTimeoutException
                                ? "The request body stopped arriving for longer than the server waits."
                                : "The connection failed before the request body ended.", error)));
    }

    /** Reads a required JSON body; any decoding problem is a 400 {@code invalid_json}. */
    public static <T> Mono<T> json(ServerRequest request, Class<T> type) {
        return required(request, request.bodyToMono(type));
    }

    /**
     * Reads an optional JSON body: empty when the request has none (with or without a
     * {@code Content-Type}); a body that is there is decoded and refused as {@link #json} does.
     */
    public static <T> Mono<T> optionalJson(ServerRequest request, Class<T> type) {
        return decoded(request, request.bodyToMono(type));
    }

    /** Reads a required JSON object as a map, for PATCH bodies where absent and null differ. */
    public static Mono<Map<String, Object>> jsonObject(ServerRequest request) {
        return required(request, request.bodyToMono(new ParameterizedTypeReference<Map<String, Object>>() { }));
    }

    private static <T> Mono<T> required(ServerRequest request, Mono<T> body) {
        return decoded(request, body)
                .switchIfEmpty(Mono.error(() -> new GranaryException(ErrorCode.INVALID_JSON, "A JSON body is required.")));
    }

    private static <T> Mono<T> decoded(ServerRequest request, Mono<T> body) {
        return body
                .onErrorMap(DataBufferLimitException.class, e -> new GranaryException(ErrorCode.ENTITY_TOO_LARGE,
                        "The JSON body is larger than this API accepts."))
                .onErrorMap(UnsupportedMediaTypeStatusException.class, e -> new GranaryException(
                        ErrorCode.UNSUPPORTED_MEDIA_TYPE, notJson(request.headers().contentType().orElse(null))))
                .onErrorMap(e -> e instanceof DecodingException || e instanceof ServerWebInputException,
                        e -> refusedByBinding(e) instanceof GranaryException refusal ? refusal
                                : new GranaryException(ErrorCode.INVALID_JSON, JsonProblems.describe(e), e));
    }

    /** The refusal of a record that validates itself while the body is bound, if that is what failed. */
    private static Throwable refusedByBinding(Throwable error) {
        for (Throwable cause = error; cause != null; cause = cause.getCause()) {
            if (cause instanceof GranaryException) {
                return cause;
            }
        }
        return null;
    }

    /** Why a JSON endpoint refuses the body's type: says what it takes, and what it got. */
    private static String notJson(MediaType sent) {
        return "Send the body as application/json (Content-Type: application/json); "
                + (sent == null ? "the request has no Content-Type." : "this request's is " + sent + ".");
    }

    /** An optional query parameter as an int within bounds, else a 400. */
    public static int intParam(ServerRequest request, String name, int fallback, int min, int max) {
        return request.queryParam(name).map(value -> {
            try {
                int parsed = Integer.parseInt(value);
                if (parsed >= min && parsed <= max) {
                    return parsed;
                }
            } catch (NumberFormatException ignored) {
                // reported below
            }
            throw new GranaryException(ErrorCode.INVALID_REQUEST,
                    "Query parameter '" + name + "' must be an integer from " + min + " to " + max + ".");
        }).orElse(fallback);
    }
}
