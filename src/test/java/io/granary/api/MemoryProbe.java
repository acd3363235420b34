package io.granary.api;

import io.granary.testsupport.LeakRecorder;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufAllocatorMetric;
import io.netty.buffer.ByteBufAllocatorMetricProvider;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.util.internal.PlatformDependent;
import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;

/**
 * What the gateway (running in the test JVM) holds in memory: live heap after a full
 * collection, direct memory as Netty's allocators and the JDK's buffer pool count it, and the
 * number of Netty buffers not yet released ({@link LeakRecorder#liveBuffers()}).
 * Tests compare samples against a baseline taken before the work under test.
 */
record MemoryProbe(long heapAfterGc, long direct, long liveBuffers) {

    /** A sample, taken after collecting garbage (so only reachable bytes count). */
    static MemoryProbe sample() {
        System.gc();
        // What the collection left, as the collector reports it: the heap's current use would
        // also count what other threads allocated since (at tens of MB/s during a download).
        long heap = 0;
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP && pool.getCollectionUsage() != null) {
                heap += pool.getCollectionUsage().getUsed();
            }
        }
        return new MemoryProbe(heap, directBytes(), LeakRecorder.liveBuffers());
    }

    /**
     * Direct bytes in use: the JDK's direct buffer pool (Netty's allocators take their chunks
     * there when they allocate with cleaners) plus Netty's own counter (when it allocates without
     * cleaners, bypassing the JDK's count). The two never count the same buffer; the pooled
     * allocators' "used" figures are part of them.
     */
    static long directBytes() {
        long total = Math.max(0, PlatformDependent.usedDirectMemory());
        for (BufferPoolMXBean pool : ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class)) {
            if ("direct".equals(pool.getName())) {
                total += pool.getMemoryUsed();
            }
        }
        return total;
    }

    /** Direct bytes Netty's default allocators report as used, for failure messages. */
    static String allocators() {
        return "default allocator " + used(ByteBufAllocator.DEFAULT) / 1024 + " KiB, pooled default "
                + used(PooledByteBufAllocator.DEFAULT) / 1024 + " KiB";
    }

    private static long used(ByteBufAllocator allocator) {
        if (allocator instanceof ByteBufAllocatorMetricProvider provider) {
            ByteBufAllocatorMetric metric = provider.metric();
            return metric.usedDirectMemory() + metric.usedHeapMemory();
        }
        return 0;
    }

    /** How much this sample exceeds {@code baseline}, per kind (negative when below). */
    MemoryProbe minus(MemoryProbe baseline) {
        return new MemoryProbe(heapAfterGc - baseline.heapAfterGc, direct - baseline.direct, liveBuffers - baseline.liveBuffers);
    }

    @Override
    public String toString() {
        return String.format("heap %.1f MiB, direct %.1f MiB, %d live buffers", heapAfterGc / 1048576.0, direct / 1048576.0,
                liveBuffers);
    }
}
