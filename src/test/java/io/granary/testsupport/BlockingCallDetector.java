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
 * {@code single} schedulers, any other Netty event loop) is recorded as a
 * {@link BlockingOperationError}, with the stack where it happened. Integrations are picked up
 * from {@code META-INF/services}: Reactor's and Netty's own, and
 * {@link GranaryBlockHoundIntegration} for the allow-list.
 *
 * <p>The call is recorded, not thrown: an error thrown from inside a library's critical section
 * can leave its state broken (a Lettuce lock whose writer count stayed stuck made a whole run
 * hang), and code that swallows errors would hide it anyway.
 * {@link BlockingCallCheckExtension} fails the test during which one was recorded.
 */
public final class BlockingCallDetector implements LauncherSessionListener {

    /** One blocking call BlockHound caught, with the thread that made it. */
    record Detected(String thread, BlockingOperationError error) {
    }

    private static final int KEPT = 20;
    private static final List<Detected> DETECTED = new CopyOnWriteArrayList<>();

    @Override
    public void launcherSessionOpened(LauncherSession session) {
        // Our callback is applied after the integrations found by the service loader.
        BlockHound.install(builder -> builder.blockingMethodCallback(method -> {
            // The first few name the fault; thousands (a library's file copy) would only fill the heap.
            if (DETECTED.size() < KEPT) {
                DETECTED.add(new Detected(Thread.currentThread().getName(), new BlockingOperationError(method)));
            }
        }));
    }

    /** Blocking calls detected since the last call, emptied. */
    static List<Detected> drain() {
        List<Detected> copy = List.copyOf(DETECTED);
        DETECTED.removeAll(copy);
        return copy;
    }
}
