package io.granary.testsupport;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.AppenderBase;
import ch.qos.logback.core.CoreConstants;
import java.io.PrintStream;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * Where the test JVM's log goes (configured in {@code logback-test.xml}, the access log
 * included): kept in memory instead of printed, so a passing run prints only errors, and
 * {@link TestLogsOnFailure} prints what a failing test logged. With
 * {@code -Dgranary.test.logs=all} every line is printed as it comes, as before.
 *
 * <p>Keeps the last {@value #CAPACITY} lines, numbered, so a test's lines are those numbered
 * from its start on.
 */
public final class TestLogs extends AppenderBase<ILoggingEvent> {

    static final int CAPACITY = 20_000;
    private static final boolean ALL = "all".equals(System.getProperty("granary.test.logs"));
    private static final ArrayDeque<String> LINES = new ArrayDeque<>();
    /** Number of the next line. */
    private static long next;

    @Override
    protected void append(ILoggingEvent event) {
        String line = format(event);
        if (ALL || event.getLevel().isGreaterOrEqual(Level.ERROR)) {
            out().print(line);
        }
        synchronized (LINES) {
            if (LINES.size() == CAPACITY) {
                LINES.removeFirst();
            }
            LINES.addLast(line);
            next++;
        }
    }

    /** The number the next line will get. */
    static long mark() {
        synchronized (LINES) {
            return next;
        }
    }

    /** Lines from number {@code from} on, as many as are still kept; the first says if some are gone. */
    static List<String> since(long from) {
        synchronized (LINES) {
            long first = next - LINES.size();
            List<String> lines = new ArrayList<>();
            if (from < first) {
                lines.add("(" + (first - from) + " earlier lines are no longer kept)" + CoreConstants.LINE_SEPARATOR);
            }
            long number = first;
            for (String line : LINES) {
                if (number++ >= from) {
                    lines.add(line);
                }
            }
            return lines;
        }
    }

    /** Whether lines are printed as they come, so a failure needs no replay. */
    static boolean printsAll() {
        return ALL;
    }

    static PrintStream out() {
        return System.out;
    }

    private static String format(ILoggingEvent event) {
        StringBuilder line = new StringBuilder(160)
                .append(Instant.ofEpochMilli(event.getTimeStamp())).append(' ')
                .append(event.getLevel()).append(" [").append(event.getThreadName()).append("] ")
                .append(event.getLoggerName()).append(": ").append(event.getFormattedMessage())
                .append(CoreConstants.LINE_SEPARATOR);
        if (event.getThrowableProxy() != null) {
            line.append(ThrowableProxyUtil.asString(event.getThrowableProxy())).append(CoreConstants.LINE_SEPARATOR);
        }
        return line.toString();
    }
}
