package io.granary.testsupport;

import io.netty.buffer.ByteBuf;
import io.netty.util.ResourceLeakDetector;
import io.netty.util.ResourceLeakDetectorFactory;
import io.netty.util.ResourceLeakTracker;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import org.junit.platform.launcher.LauncherSession;
import org.junit.platform.launcher.LauncherSessionListener;

/**
 * Installs, before any test touches Netty, a leak-detector factory whose detectors remember
 * every leak they report. {@link LeakCheckExtension} turns remembered leaks into test failures,
 * so a leaked buffer fails the build instead of scrolling by in the log.
 */
public final class LeakRecorder implements LauncherSessionListener {

    private static final List<String> LEAKS = new CopyOnWriteArrayList<>();
    /** Buffers allocated and not yet released, as the leak detector tracks them (every one, at PARANOID). */
    private static final LongAdder LIVE_BUFFERS = new LongAdder();

    @Override
    public void launcherSessionOpened(LauncherSession session) {
        ResourceLeakDetectorFactory.setResourceLeakDetectorFactory(new RecordingFactory());
    }

    /**
     * How many Netty buffers are allocated and not yet released, counted buffer by buffer as the
     * leak detector tracks them (all of them at the PARANOID level the tests run at). Unlike the
     * allocators' memory figures, it does not grow when a pool keeps more chunks for reuse.
     */
    public static long liveBuffers() {
        return LIVE_BUFFERS.sum();
    }

    /** Leaks reported since the last call, emptied. */
    static List<String> drain() {
        List<String> copy = List.copyOf(LEAKS);
        LEAKS.removeAll(copy);
        return copy;
    }

    private static final class RecordingFactory extends ResourceLeakDetectorFactory {
        @Override
        @SuppressWarnings("deprecation")
        public <T> ResourceLeakDetector<T> newResourceLeakDetector(Class<T> resource, int samplingInterval, long maxActive) {
            return new RecordingDetector<>(resource, samplingInterval);
        }
    }

    private static final class RecordingDetector<T> extends ResourceLeakDetector<T> {
        private final boolean buffers;

        RecordingDetector(Class<T> resource, int samplingInterval) {
            super(resource, samplingInterval);
            this.buffers = resource == ByteBuf.class;
        }

        @Override
        public ResourceLeakTracker<T> track(T obj) {
            return counted(super.track(obj));
        }

        @Override
        public ResourceLeakTracker<T> trackForcibly(T obj) {
            return counted(super.trackForcibly(obj));
        }

        private ResourceLeakTracker<T> counted(ResourceLeakTracker<T> tracker) {
            if (tracker == null || !buffers) {
                return tracker;
            }
            LIVE_BUFFERS.increment();
            return new CountingTracker<>(tracker);
        }

        @Override
        protected void reportTracedLeak(String resourceType, String records) {
            LEAKS.add(resourceType + " leaked:" + records);
            super.reportTracedLeak(resourceType, records);
        }

        @Override
        protected void reportUntracedLeak(String resourceType) {
            LEAKS.add(resourceType + " leaked (untraced)");
            super.reportUntracedLeak(resourceType);
        }
    }

    /** A tracker that counts its buffer out of {@link #LIVE_BUFFERS} when the buffer is released. */
    private static final class CountingTracker<T> implements ResourceLeakTracker<T> {
        private final ResourceLeakTracker<T> tracker;
        private final AtomicBoolean closed = new AtomicBoolean();

        CountingTracker(ResourceLeakTracker<T> tracker) {
            this.tracker = tracker;
        }

        @Override
        public void record() {
            tracker.record();
        }

        @Override
        public void record(Object hint) {
            tracker.record(hint);
        }

        @Override
        public boolean close(T trackedObject) {
            boolean closedNow = tracker.close(trackedObject);
            if (closedNow && closed.compareAndSet(false, true)) {
                LIVE_BUFFERS.decrement();
            }
            return closedNow;
        }
    }
}
