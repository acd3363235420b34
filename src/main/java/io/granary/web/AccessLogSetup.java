package io.granary.web;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import org.slf4j.LoggerFactory;
import org.springframework.core.env.Environment;
import org.springframework.stereotype.Component;

/**
 * Sends the access log ({@code io.granary.access}) to standard output through
 * {@link BatchedAccessLogAppender} instead of the console appender every other logger uses. That
 * appender formats and writes each line on the request's thread, under a lock, with a system call
 * per line: measured, about 40 % of a cached read's CPU time (docs/benchmarks.md), and a stalled
 * standard output stalls the event loops with it.
 *
 * <p>Left alone when the logging setup is not the default one: another backend than Logback,
 * appenders configured for {@code io.granary.access}, structured console logging (whose
 * format these lines would not follow), or a log file (which these lines would miss).
 */
@Component
class AccessLogSetup {

    AccessLogSetup(Environment environment) {
        if (!(LoggerFactory.getILoggerFactory() instanceof LoggerContext context)
                || environment.containsProperty("logging.structured.format.console")
                || environment.containsProperty("logging.file.name") || environment.containsProperty("logging.file.path")) {
            return;
        }
        Logger logger = context.getLogger(AccessLog.LOGGER);
        synchronized (logger) {
            if (logger.iteratorForAppenders().hasNext()) {
                return; // ours from another application context in this JVM, or the operator's
            }
            BatchedAccessLogAppender appender = new BatchedAccessLogAppender(() -> System.out);
            appender.setContext(context);
            appender.start();
            logger.addAppender(appender);
            logger.setAdditive(false);
        }
    }
}
