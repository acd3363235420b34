package io.granary.testsupport;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.core.AppenderBase;
import io.netty.util.IllegalReferenceCountException;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.LoggerFactory;

/**
 * Remembers every log event that reports a buffer released once too often. Netty, Reactor and
 * Reactor Netty only log such errors (from discard hooks, dropped errors, a decoder's cleanup),
 * so without this a double release, which can hand pooled memory still in use to another
 * request, would pass every test. {@link LeakCheckExtension} turns them into failures.
 */
final class OverReleaseRecorder extends AppenderBase<ILoggingEvent> {

    private static final String NAME = "granary-over-release-recorder";
    private static final String EXCEPTION = IllegalReferenceCountException.class.getName();
    private static final List<String> REPORTS = new CopyOnWriteArrayList<>();
    /**
     * Not counted: Netty's own reports on the AWS SDK's event loops. The SDK's HTTP client
     * releases the last chunk of a request body twice when the connection is closed under the
     * request (seen once in S3BlobStoreTest). Granary cannot change that, and no buffer of
     * Granary's reaches that client: request bodies are handed to it as heap copies, which it
     * wraps unpooled. Granary's own code on those threads logs through Reactor and still counts.
     */
    private static final String SDK_THREADS = "aws-java-sdk-NettyEventLoop";

    /**
     * Attaches the recorder to the root logger unless it is there already. Called before each
     * test, because Spring Boot resets Logback's configuration when the first application context starts.
     */
    static void attach() {
        if (!(LoggerFactory.getILoggerFactory() instanceof LoggerContext context)) {
            return;
        }
        Logger root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        synchronized (OverReleaseRecorder.class) {
            if (root.getAppender(NAME) == null) {
                OverReleaseRecorder recorder = new OverReleaseRecorder();
                recorder.setName(NAME);
                recorder.setContext(context);
                recorder.start();
                root.addAppender(recorder);
            }
        }
    }

    /** Reports recorded since the last call, emptied. */
    static List<String> drain() {
        List<String> copy = List.copyOf(REPORTS);
        REPORTS.removeAll(copy);
        return copy;
    }

    @Override
    protected void append(ILoggingEvent event) {
        if (event.getThreadName().startsWith(SDK_THREADS) && event.getLoggerName().startsWith("io.netty.")) {
            return;
        }
        String message = event.getFormattedMessage();
        boolean overRelease = message != null && message.contains(EXCEPTION);
        for (IThrowableProxy error = event.getThrowableProxy(); error != null && !overRelease; error = error.getCause()) {
            overRelease = EXCEPTION.equals(error.getClassName());
        }
        if (overRelease) {
            IThrowableProxy error = event.getThrowableProxy();
            REPORTS.add("[" + event.getThreadName() + "] " + event.getLoggerName() + ": " + message
                    + (error == null ? "" : " (" + error.getClassName() + ": " + error.getMessage() + ")"));
        }
    }
}
