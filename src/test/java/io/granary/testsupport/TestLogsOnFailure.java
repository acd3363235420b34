package io.granary.testsupport;

import java.io.PrintStream;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;

/**
 * Prints what a failing test (or test class) logged, between two marker lines that name it, so
 * its log is found next to its failure in CI's output. Lines logged by other threads meanwhile
 * (a shared server's background work) are included: they are part of what happened.
 */
public final class TestLogsOnFailure implements TestExecutionListener {

    private static final int MAX_LINES = 5_000;

    private final Map<String, Long> started = new ConcurrentHashMap<>();

    @Override
    public void executionStarted(TestIdentifier test) {
        started.put(test.getUniqueId(), TestLogs.mark());
    }

    @Override
    public void executionFinished(TestIdentifier test, TestExecutionResult result) {
        Long from = started.remove(test.getUniqueId());
        if (from == null || result.getStatus() != TestExecutionResult.Status.FAILED || TestLogs.printsAll()) {
            return;
        }
        List<String> lines = TestLogs.since(from);
        if (lines.size() > MAX_LINES) {
            // A failed class replays its whole log: its end holds the failure.
            lines = lines.subList(lines.size() - MAX_LINES, lines.size());
        }
        PrintStream out = TestLogs.out();
        out.println("---- log of failed " + test.getDisplayName() + " (" + test.getUniqueId() + "), " + lines.size() + " lines ----");
        lines.forEach(out::print);
        out.println("---- end of the log of failed " + test.getDisplayName() + " ----");
    }
}
