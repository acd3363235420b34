package io.granary.testsupport;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.UnpooledByteBufAllocator;
import java.util.List;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * After each test class: collects garbage, lets Netty's detectors poll their queues, and fails
 * the class if any buffer was garbage-collected unreleased, or if any was released once too
 * often (as logged, see {@link OverReleaseRecorder}). Registered for every test class by JUnit's
 * extension auto-detection.
 */
public final class LeakCheckExtension implements BeforeEachCallback, AfterAllCallback {

    @Override
    public void beforeEach(ExtensionContext context) {
        OverReleaseRecorder.attach();
    }

    @Override
    public void afterAll(ExtensionContext context) throws InterruptedException {
        for (int round = 0; round < 3; round++) {
            System.gc();
            Thread.sleep(50);
            // Detectors look at their reference queues when a new buffer is tracked.
            for (int i = 0; i < 64; i++) {
                ByteBuf pooled = PooledByteBufAllocator.DEFAULT.directBuffer(16);
                pooled.release();
                ByteBuf unpooled = UnpooledByteBufAllocator.DEFAULT.heapBuffer(16);
                unpooled.release();
            }
        }
        List<String> leaks = LeakRecorder.drain();
        if (!leaks.isEmpty()) {
            throw new AssertionError(leaks.size() + " Netty buffer leak(s) detected (PARANOID):\n" + String.join("\n\n", leaks));
        }
        List<String> overReleases = OverReleaseRecorder.drain();
        if (!overReleases.isEmpty()) {
            throw new AssertionError(overReleases.size() + " buffer(s) released once too often:\n" + String.join("\n", overReleases));
        }
    }
}
