package io.granary.object;

import io.granary.error.GranaryException;
import io.granary.security.Principal;
import io.granary.web.AccessRecord;
import io.granary.web.ProblemJson;
import io.granary.web.Refusals;
import io.granary.web.RequestIds;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;
import reactor.netty.http.server.HttpServerRequest;
import reactor.netty.http.server.HttpServerResponse;

/**
 * The refusals {@link HotReadRoute} answers itself (no credential, an unknown key, the rate
 * limit), as the full path would: the same problem body and headers ({@link ProblemJson}), the
 * same denial count and pacing ({@link Refusals}), an {@code http.server.requests} timer of their own. A flood of
 * such requests then costs no more than cached reads do.
 */
@Component
class HotRefusals {

    private final Refusals refusals;
    private final MeterRegistry meters;
    /** Timers by status, negative for HEAD. */
    private final Map<Integer, Timer> timers = new ConcurrentHashMap<>();

    HotRefusals(Refusals refusals, MeterRegistry meters) {
        this.refusals = refusals;
        this.meters = meters;
    }

    /**
     * Answers {@code problem} to a request for the object path {@code uriTag} names.
     *
     * @param principal the caller, or {@code null} when no credential was established
     * @param start {@link System#nanoTime()} when the request arrived
     */
    Mono<Void> answer(HttpServerRequest request, HttpServerResponse response, GranaryException problem,
                      Principal principal, String uriTag, long start) {
        AccessRecord record = AccessRecord.of(request);
        String id = record != null ? record.requestId() : RequestIds.choose(request.requestHeaders().get(RequestIds.HEADER));
        if (record != null && principal != null) {
            record.caller(principal);
        }
        int status = problem.code().status().value();
        response.status(status)
                .header(HttpHeaderNames.CONTENT_TYPE, ProblemJson.CONTENT_TYPE)
                .header(RequestIds.HEADER, id);
        ProblemJson.headers(problem, response::header);
        // The URI is the path alone here (the hot path takes no query).
        byte[] body = ProblemJson.body(problem, request.uri(), id);
        response.header(HttpHeaderNames.CONTENT_LENGTH, Integer.toString(body.length));
        boolean head = request.method() == HttpMethod.HEAD;
        Timer timer = timers.computeIfAbsent(head ? -status : status, ignored -> Timer.builder("http.server.requests")
                .tags("error", "GranaryException", "exception", "GranaryException", "method", request.method().name(),
                        "outcome", "CLIENT_ERROR", "status", Integer.toString(status), "uri", uriTag)
                .register(meters));
        Mono<Void> sent = head ? response.send().then() : response.sendByteArray(Mono.just(body)).then();
        return refusals.answered(principal, request.remoteAddress(), status, sent).doFinally(signal -> timer.record(System.nanoTime() - start, TimeUnit.NANOSECONDS));
    }
}
