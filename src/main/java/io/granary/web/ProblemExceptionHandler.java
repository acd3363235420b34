package io.granary.web;

import io.granary.error.ErrorCode;
import io.granary.error.GranaryException;
import io.granary.audit.DeniedRequestMonitor;
import io.granary.security.Principal;
import java.net.InetSocketAddress;
import java.net.URI;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.codec.HttpMessageWriter;
import org.springframework.http.codec.ServerCodecConfigurer;
import org.springframework.stereotype.Component;
import org.springframework.web.reactive.function.server.ServerResponse;
import org.springframework.web.reactive.result.view.ViewResolver;
import org.springframework.web.server.ResponseStatusException;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebExceptionHandler;
import reactor.core.publisher.Mono;

import java.util.List;

/**
 * Renders every failure of the REST API as RFC 9457 {@code application/problem+json} with a
 * stable {@code code} and the request id. Runs before Spring Boot's default error handler, so
 * framework errors (unknown route, wrong method, unreadable body) get the same shape.
 */
@Component
@Order(-2)
class ProblemExceptionHandler implements WebExceptionHandler {

    private static final Logger log = LoggerFactory.getLogger(ProblemExceptionHandler.class);

    private final List<HttpMessageWriter<?>> writers;
    private final DeniedRequestMonitor denials;

    ProblemExceptionHandler(ServerCodecConfigurer codecs, DeniedRequestMonitor denials) {
        this.writers = codecs.getWriters();
        this.denials = denials;
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
        ProblemDetail body = ProblemDetail.forStatusAndDetail(problem.code().status(), problem.getMessage());
        body.setTitle(problem.code().title());
        body.setType(URI.create("https://granary.io/problems/" + problem.code().code()));
        body.setInstance(URI.create(exchange.getRequest().getPath().value()));
        body.setProperty("code", problem.code().code());
        body.setProperty("requestId", RequestIds.of(exchange));
        ServerResponse.BodyBuilder response = ServerResponse.status(problem.code().status())
                .contentType(MediaType.APPLICATION_PROBLEM_JSON);
        problem.responseHeaders().forEach(response::header);
        if (problem.code() == ErrorCode.UNAUTHENTICATED) {
            response.header("WWW-Authenticate", "Bearer realm=\"granary\"");
        } else if (problem.code() == ErrorCode.INVALID_TOKEN || problem.code() == ErrorCode.TOKEN_EXPIRED) {
            // RFC 6750: tells OAuth clients to refresh or re-authenticate rather than retry.
            response.header("WWW-Authenticate", "Bearer realm=\"granary\", error=\"invalid_token\"");
        }
        // Counted in memory and added up once a second: a refusal is never delayed by the
        // database, and a flood of bad requests causes no write per request.
        countDenial(exchange, problem.code());
        // A refusal can be ready before the server has read the end of a bodiless request (the
        // empty last chunk). Answering then left the next request on that keep-alive connection
        // unread until the client gave up (seen in full test runs after fast 400/401/429s), so
        // the end of such a request is read first; it is there already, this costs no wait.
        // Requests with a body are not drained: an upload refused early must not be read in full.
        Mono<Void> requestEnd = declaresNoBody(exchange)
                ? exchange.getRequest().getBody().doOnNext(DataBufferUtils::release).onErrorResume(e -> Mono.empty()).then()
                : Mono.empty();
        return requestEnd.then(response.bodyValue(body)).flatMap(r -> r.writeTo(exchange, new Context(writers)));
    }

    private static boolean declaresNoBody(ServerWebExchange exchange) {
        HttpHeaders headers = exchange.getRequest().getHeaders();
        return headers.getContentLength() <= 0 && !headers.containsHeader(HttpHeaders.TRANSFER_ENCODING);
    }

        /** 401s and 403s feed the audit log's burst detection, per caller. */
    private void countDenial(ServerWebExchange exchange, ErrorCode code) {
        int status = code.status().value();
        if (status != 401 && status != 403) {
            return;
        }
        Object principal = exchange.getAttribute(Requests.PRINCIPAL);
        if (principal instanceof Principal.Grant grant) {
            denials.denied(grant.tenantId(), "signed-url:" + grant.tenantId(), status);
        } else if (principal instanceof Principal known && !(principal instanceof Principal.Anonymous)) {
            denials.denied(known.tenantId(), known.actor(), status);
        } else {
            InetSocketAddress remote = exchange.getRequest().getRemoteAddress();
            String address = remote == null || remote.getAddress() == null ? "unknown" : remote.getAddress().getHostAddress();
            denials.denied(null, "ip:" + address, status);
        }
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

    private record Context(List<HttpMessageWriter<?>> messageWriters) implements ServerResponse.Context {
        @Override
        public List<ViewResolver> viewResolvers() {
            return List.of();
        }
    }

    private static Throwable rootCause(Throwable error) {
        Throwable cause = error;
        for (int depth = 0; cause.getCause() != null && cause.getCause() != cause && depth < 32; depth++) {
            cause = cause.getCause();
        }
        return cause;
    }
}
