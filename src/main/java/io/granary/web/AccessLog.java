package io.granary.web;

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

    /**
     * Writes the line of {@code record}, which has ended with {@code outcome}. Only the record
     * is handed over: the line is formatted where the log is written (off the event loop, see
     * {@link BatchedAccessLogAppender}), from fields no one changes any more.
     */
    static void write(AccessRecord record, String outcome) {
        if (log.isInfoEnabled()) {
            record.end(outcome);
            log.info("{}", record);
        }
    }
}
