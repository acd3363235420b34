package io.granary.web;

import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;
import reactor.core.publisher.Mono;

/**
 * Gives every WebFlux request its id (echoed in {@code X-Request-Id}, carried in error bodies)
 * and tells its {@link AccessRecord} where the caller will be found; the record writes the
 * access-log line once the response has gone out.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE)
class AccessLogFilter implements WebFilter {

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
        AccessRecord record = AccessRecord.of(exchange.getRequest());
        String id;
        if (record != null) {
            id = record.requestId();
            record.callerFrom(exchange.getAttributes());
        } else {
            id = RequestIds.choose(exchange.getRequest().getHeaders().getFirst(RequestIds.HEADER));
        }
        exchange.getAttributes().put(RequestIds.ATTRIBUTE, id);
        exchange.getResponse().getHeaders().set(RequestIds.HEADER, id);
        return chain.filter(exchange);
    }
}
