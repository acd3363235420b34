package io.granary.testsupport;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * After each test, and after each class (for work done in {@code @BeforeAll}/{@code @AfterAll}
 * or still running when the last test returned): fails if BlockHound caught a blocking call on
 * a non-blocking thread in the meantime, naming the thread and the stack of each. Registered for
 * every test class by JUnit's extension auto-detection; see {@link BlockingCallDetector}.
 */
public final class BlockingCallCheckExtension implements AfterEachCallback, AfterAllCallback {

    @Override
    public void afterEach(ExtensionContext context) {
        check();
    }

    @Override
    public void afterAll(ExtensionContext context) {
        check();
    }

    private static void check() {
        List<BlockingCallDetector.Detected> detected = BlockingCallDetector.drain();
        if (!detected.isEmpty()) {
            throw new AssertionError(detected.size() + " blocking call(s) on a non-blocking thread (BlockHound):\n"
                    + detected.stream().map(BlockingCallCheckExtension::describe).collect(Collectors.joining("\n")));
        }
    }

    private static String describe(BlockingCallDetector.Detected detected) {
        StringWriter out = new StringWriter();
        out.append("on thread ").append(detected.thread()).append(": ");
        detected.error().printStackTrace(new PrintWriter(out));
        return out.toString();
    }
}
