package io.granary.testsupport;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.platform.launcher.LauncherSession;
import org.junit.platform.launcher.LauncherSessionListener;
import reactor.blockhound.BlockHound;
import reactor.blockhound.BlockingOperationError;

/**
 * Installs BlockHound once per test JVM, before any test class is loaded, so that a blocking
 * call on a non-blocking thread (Reactor Netty event loops, Reactor's {@code parallel} and
 * {@code single} schedulers, any other Netty event loop) throws {@link BlockingOperationError}
 * where it happens. Integrations are picked up from {@code META-INF/services}: Reactor's and
 * Netty's own, and {@link GranaryBlockHoundIntegration} for the allow-list.
 *
 * <p>The error is also remembered: code that swallows it (a Netty handler that logs and closes
 * the channel, a fire-and-forget subscription) would otherwise hide the blocking call.
 * {@link BlockingCallCheckExtension} fails the test during which one was remembered.
 */
public final class BlockingCallDetector implements LauncherSessionListener {

    /** One blocking call BlockHound caught, with the thread that made it. */
    record Detected(String thread, BlockingOperationError error) {
    }

    private static final List<Detected> DETECTED = new CopyOnWriteArrayList<>();

    @Override
    public void launcherSessionOpened(LauncherSession session) {
        // Our callback is applied after the integrations found by the service loader.
        BlockHound.install(builder -> builder.blockingMethodCallback(method -> {
            BlockingOperationError error = new BlockingOperationError(method);
            DETECTED.add(new Detected(Thread.currentThread().getName(), error));
            throw error;
        }));
    }

    /** Blocking calls detected since the last call, emptied. */
    static List<Detected> drain() {
        List<Detected> copy = List.copyOf(DETECTED);
        DETECTED.removeAll(copy);
        return copy;
    }
}
