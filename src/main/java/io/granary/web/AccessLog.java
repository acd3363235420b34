package io.granary.web;

import io.granary.security.Principal;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The access log ({@code io.granary.access}): one line per request, whichever front-end
 * answered it or refused it, so a client's report can be found by its request id:
 * {@code <request id> <method> <path> <status> <bytes sent> <ms>ms <caller> <tenant id> <outcome>}.
 * The status and bytes are what went out on the connection ({@code -} when no response began);
 * the caller is the credential's actor ({@code key:<id>}, {@code user:<id>}, {@code root},
 * {@code signed-url}, {@code anonymous}), never a secret; the outcome is {@code complete} when
 * the whole response was sent and {@code aborted} when the connection ended first. Written off
 * the request's thread, see {@link AccessLogSetup}.
 */
public final class AccessLog {

    static final String LOGGER = "io.granary.access";
    private static final Logger log = LoggerFactory.getLogger(LOGGER);

    private AccessLog() {
    }

    static void write(AccessRecord record, String outcome) {
        if (log.isInfoEnabled()) {
            Principal principal = record.principal();
            String caller = principal == null ? "anonymous" : principal.actor();
            String tenant = principal == null || principal.tenantId() == null ? "-" : principal.tenantId();
            log.info("{} {} {} {} {} {}ms {} {} {}", record.requestId, record.method, record.path,
                    record.status == 0 ? "-" : record.status, record.bytes,
                    (System.nanoTime() - record.startNanos) / 1_000_000, caller, tenant, outcome);
        }
    }
}
