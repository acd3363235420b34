package io.granary.web;

import io.granary.security.Principal;
import io.netty.channel.Channel;
import java.util.Map;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.http.server.reactive.ServerHttpRequestDecorator;
import org.springframework.web.reactive.function.server.RouterFunctions;
import reactor.netty.http.server.HttpServerRequest;

/**
 * One request's access-log entry. The connection's pipeline opens it when the request arrives
 * (with the request id, the method and the path) and writes it once the response's last byte
 * went out or the connection closed first, with the status and the body bytes actually sent;
 * so a refusal made before any Granary code ran, an error rendered by an exception handler and
 * a download cut short are all logged as they were sent. The front-end that serves the request
 * tells it who the caller is ({@link #caller(Principal)} or {@link #callerFrom(Map)}) and, when
 * the request is for a bucket, which one ({@link #bucket}); {@link BucketTraffic} is then told of
 * it for the usage history.
 *
 * <p>Found from a request with {@link #of(HttpServerRequest)} on the connection's event loop;
 * the caller may be set from any thread.
 */
public final class AccessRecord {

    final String requestId;
    final String method;
    final String path;
    final long startNanos;
    /** Written on the event loop only. */
    int status;
    long bytes;
    private volatile Principal principal;
    private volatile Map<String, Object> attributes;
    private volatile String bucket;
    private volatile boolean objectRead;
    /** Set once, when the record ends. */
    private long durationMillis;
    private String outcome;

    AccessRecord(String requestId, String method, String path, long startNanos) {
        this.requestId = requestId;
        this.method = method;
        this.path = path;
        this.startNanos = startNanos;
    }

    /** The request's id: the caller's {@code X-Request-Id} when acceptable, else a fresh one. */
    public String requestId() {
        return requestId;
    }

    /** Records who the caller is. */
    public void caller(Principal principal) {
        this.principal = principal;
    }

    /** Records where the caller will be found once authenticated: the exchange's {@link Requests#PRINCIPAL} attribute. */
    public void callerFrom(Map<String, Object> exchangeAttributes) {
        this.attributes = exchangeAttributes;
    }

    /**
     * Records the bucket the request is for, by the name it gave, for the usage history;
     * {@code objectRead}: it reads an object, so the body of a successful {@code GET} counts as
     * downloaded. WebFlux routes need not call this: one with a {@code {bucket}} path variable
     * (and a {@code {key}} for object reads) is found from the exchange ({@link #callerFrom}).
     */
    public void bucket(String name, boolean objectRead) {
        this.objectRead = objectRead;
        this.bucket = name;
    }

    /**
     * Tells {@code traffic} of this request if a tenant's caller made it to a bucket. Called on
     * the event loop once the record has ended; reads what routing left in the exchange (the
     * bucket variable), so nothing is parsed or allocated on the way.
     */
    void report(BucketTraffic traffic) {
        Principal caller = principal();
        String tenantId = caller == null ? null : caller.tenantId();
        if (tenantId == null) {
            return; // no credential, or a system principal: no tenant to count for
        }
        String name = bucket;
        boolean read = objectRead;
        if (name == null) {
            Map<String, Object> exchange = attributes;
            if (exchange == null || !(exchange.get(RouterFunctions.URI_TEMPLATE_VARIABLES_ATTRIBUTE) instanceof Map<?, ?> variables)
                    || !(variables.get("bucket") instanceof String routed)) {
                return;
            }
            name = routed;
            read = variables.containsKey("key");
        }
        boolean download = read && (status == 200 || status == 206) && "GET".equals(method);
        traffic.request(tenantId, name, download ? bytes : 0);
    }

    /** The caller as established, or {@code null} when no credential was. */
    Principal principal() {
        Principal known = principal;
        if (known == null && attributes != null && attributes.get(Requests.PRINCIPAL) instanceof Principal found) {
            return found;
        }
        return known;
    }

    /** Ends the record: the response went out whole ({@code complete}) or not ({@code aborted}). */
    void end(String outcome) {
        this.durationMillis = (System.nanoTime() - startNanos) / 1_000_000;
        this.outcome = outcome;
    }

    /** The access-log line of an ended record; see {@link AccessLog}. */
    @Override
    public String toString() {
        Principal caller = principal();
        return requestId + ' ' + method + ' ' + path + ' ' + (status == 0 ? "-" : Integer.toString(status)) + ' ' + bytes
                + ' ' + durationMillis + "ms " + (caller == null ? "anonymous" : caller.actor()) + ' '
                + (caller == null || caller.tenantId() == null ? "-" : caller.tenantId()) + ' ' + outcome;
    }

    /** The record of {@code request}, or {@code null} when its connection keeps none (not HTTP/1.1). */
    public static AccessRecord of(HttpServerRequest request) {
        Channel channel = Channels.of(request);
        AccessRecorder recorder = channel == null ? null : channel.attr(AccessRecorder.KEY).get();
        return recorder == null ? null : recorder.find(request.requestHeaders());
    }

    /** The record of a WebFlux request on Reactor Netty, or {@code null}. */
    public static AccessRecord of(ServerHttpRequest request) {
        return ServerHttpRequestDecorator.getNativeRequest(request) instanceof HttpServerRequest reactor ? of(reactor) : null;
    }
}
