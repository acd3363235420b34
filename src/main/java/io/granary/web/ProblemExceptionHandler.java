package io.granary.web;

import io.granary.error.ErrorCode;
import io.granary.error.GranaryException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.http.HttpHeaders;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ResponseStatusException;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebExceptionHandler;
import reactor.core.publisher.Mono;


/**
 * Renders every failure of the REST API as RFC 9457 {@code application/problem+json} with a
 * stable {@code code} and the request id. Runs before Spring Boot's default error handler, so
 * framework errors (unknown route, wrong method, unreadable body) get the same shape.
 */
@Component
@Order(-2)
class ProblemExceptionHandler implements WebExceptionHandler {

    private static final Logger log = LoggerFactory.getLogger(ProblemExceptionHandler.class);

    private final Refusals refusals;

    ProblemExceptionHandler(Refusals refusals) {
        this.refusals = refusals;
    }

    @Override
    public Mono<Void> handle(ServerWebExchange exchange, Throwable error) {
        if (exchange.getResponse().isCommitted()) {
            // Headers are gone; all that is left is to cut the connection, which the server does.
            log.warn("{} failed after the response started: {}", RequestIds.of(exchange), error.toString());
            return Mono.error(error);
        }
        if (!Channels.open(exchange.getRequest())) {
            // The client has gone (a reset mid-upload): no one to answer, and what failed was
            // most likely torn down by its leaving, not broken.
            log.debug("{} failed after the client left: {}", RequestIds.of(exchange), error.toString());
            return Mono.empty();
        }
        GranaryException problem = classify(error);
        if (problem.code() == ErrorCode.INTERNAL) {
            log.error("{} {} {} failed", RequestIds.of(exchange), exchange.getRequest().getMethod(),
                    exchange.getRequest().getPath(), error);
        } else if (problem.code().status().is5xxServerError()) {
            // A dependency's fault (store, database, scanner): the operator needs its cause, the
            // client only the code.
            log.warn("{} {} {} answered {}: {}", RequestIds.of(exchange), exchange.getRequest().getMethod(),
                    exchange.getRequest().getPath(), problem.code().code(), rootCause(error).toString());
        }
        ServerHttpResponse response = exchange.getResponse();
        response.setStatusCode(problem.code().status());
        response.getHeaders().set(HttpHeaders.CONTENT_TYPE, ProblemJson.CONTENT_TYPE);
        ProblemJson.headers(problem, response.getHeaders()::set);
        byte[] body = ProblemJson.body(problem, exchange.getRequest().getPath().value(), RequestIds.of(exchange));
        response.getHeaders().setContentLength(body.length);
        // A refusal can be ready before the server has read the end of a bodiless request (the
        // empty last chunk). Answering then left the next request on that keep-alive connection
        // unread until the client gave up (seen in full test runs after fast 400/401/429s), so
        // the end of such a request is read first; it is there already, this costs no wait.
        // Requests with a body are not drained: an upload refused early must not be read in full.
        Mono<Void> requestEnd = declaresNoBody(exchange)
                ? exchange.getRequest().getBody().doOnNext(DataBufferUtils::release).onErrorResume(e -> Mono.empty()).then()
                : Mono.empty();
        // Denials are counted in memory and added up once a second: a refusal is never delayed by
        // the database, and a flood of bad requests causes no write per request.
        return refusals.answered(exchange.getAttribute(Requests.PRINCIPAL), exchange.getRequest().getRemoteAddress(),
                problem.code().status().value(),
                requestEnd.then(response.writeWith(Mono.fromSupplier(() -> response.bufferFactory().wrap(body)))));
    }

    private static boolean declaresNoBody(ServerWebExchange exchange) {
        HttpHeaders headers = exchange.getRequest().getHeaders();
        return headers.getContentLength() <= 0 && !headers.containsHeader(HttpHeaders.TRANSFER_ENCODING);
    }

    /** Maps anything thrown to the error it means for the client. */
    static GranaryException classify(Throwable error) {
        if (error instanceof GranaryException granary) {
            return granary;
        }
        if (error instanceof ResponseStatusException status) {
            return fromStatus(status.getStatusCode(), status.getReason());
        }
        return new GranaryException(ErrorCode.INTERNAL, ErrorCode.INTERNAL.title(), error);
    }

    private static GranaryException fromStatus(HttpStatusCode status, String reason) {
        ErrorCode code = switch (status.value()) {
            case 404 -> ErrorCode.NOT_FOUND;
            case 405 -> ErrorCode.METHOD_NOT_ALLOWED;
            case 413 -> ErrorCode.ENTITY_TOO_LARGE;
            case 415 -> ErrorCode.UNSUPPORTED_MEDIA_TYPE;
            case 400 -> ErrorCode.INVALID_REQUEST;
            default -> status.is4xxClientError() ? ErrorCode.INVALID_REQUEST : ErrorCode.INTERNAL;
        };
        String detail = reason != null ? reason : HttpStatus.resolve(status.value()) != null
                ? HttpStatus.resolve(status.value()).getReasonPhrase() : code.title();
        return new GranaryException(code, detail);
    }

    private static Throwable rootCause(Throwable error) {
        Throwable cause = error;
        for (int depth = 0; cause.getCause() != null && cause.getCause() != cause && depth < 32; depth++) {
            cause = cause.getCause();
        }
        return cause;
    }
}
