package io.granary.web;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The access log ({@code io.granary.access}): one line per request, whichever front-end
 * answered it, so a client's report can be found by its request id. Written off the request's
 * thread, see {@link AccessLogSetup}.
 */
public final class AccessLog {

    static final String LOGGER = "io.granary.access";
    private static final Logger log = LoggerFactory.getLogger(LOGGER);

    private AccessLog() {
    }

    /**
     * @param status the response status, {@code 0} when none was set
     * @param startNanos {@link System#nanoTime()} when the request arrived
     * @param signal how the exchange ended ({@code onComplete}, {@code onError}, {@code cancel})
     */
    public static void write(String requestId, Object method, Object path, int status, long startNanos, Object signal) {
        if (log.isInfoEnabled()) {
            log.info("{} {} {} {} {}ms {}", requestId, method, path, status == 0 ? "-" : status,
                    (System.nanoTime() - startNanos) / 1_000_000, signal);
        }
    }
}
