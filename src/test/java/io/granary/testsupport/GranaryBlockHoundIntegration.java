package io.granary.testsupport;

import reactor.blockhound.BlockHound;
import reactor.blockhound.integration.BlockHoundIntegration;

/**
 * Granary's BlockHound allow-list, registered through {@code META-INF/services} and applied after
 * Reactor's and Netty's own integrations. Each entry names one method of the JDK or of a
 * third-party library whose blocking is known to be harmless, and says why. Granary's own code is
 * never listed: a blocking call there is fixed by moving the work off the event loop.
 *
 * <p>Not listed because not needed: mongo-java-server (the embedded MongoDB stand-in) runs on
 * plain threads from its own thread factory, which BlockHound does not treat as non-blocking;
 * S3Proxy and Redis run as separate processes.
 */
public final class GranaryBlockHoundIntegration implements BlockHoundIntegration {

    @Override
    public void applyTo(BlockHound.Builder builder) {
        // SecureRandom.nextBytes (secrets, UUID.randomUUID, RSA blinding in JWT signing, the
        // MongoDB driver's session ids) reads /dev/urandom, which never waits once the kernel's
        // pool is initialised at boot; seeding from /dev/random (implGenerateSeed) stays detected.
        builder.allowBlockingCallsInside("sun.security.provider.NativePRNG$RandomIO", "implNextBytes");
        // The MongoDB driver guards its connection pool and stream state with short,
        // non-interruptible critical sections, never held across I/O or a wait; it takes them on
        // its own Netty event loops by design. Its waiting locks (checkedWithInterruptibleLock)
        // stay detected.
        builder.allowBlockingCallsInside("com.mongodb.internal.Locks", "checkedWithLock");
        // The cluster clock (the $clusterTime gossiped with every reply) is read and advanced
        // under an interruptible lock held only to compare and swap two timestamps; under many
        // concurrent commands (100 writers to one key) replies contend for it on the driver's
        // event loops.
        builder.allowBlockingCallsInside("com.mongodb.internal.connection.ClusterClock", "advance");
        builder.allowBlockingCallsInside("com.mongodb.internal.connection.ClusterClock", "getCurrent");
        builder.allowBlockingCallsInside("com.mongodb.internal.connection.ClusterClock", "getClusterTime");
        builder.allowBlockingCallsInside("com.mongodb.internal.connection.ClusterClock", "greaterOf");
        // Spring Data builds an entity's mapping metadata once, under its mapping context's write
        // lock; requests that first touch that type at the same moment (100 writers reading their
        // usage record) wait on that lock for the build, never for I/O.
        builder.allowBlockingCallsInside("org.springframework.data.mapping.context.AbstractMappingContext",
                "getPersistentEntity");
        // Lettuce guards each connection's writes with a lock held for a few field updates
        // (counting writers, or closing the endpoint); its event loops and ours contend for it
        // when Redis comes back. An error thrown inside those sections leaves the lock's writer
        // count stuck, and every later write spins forever (a whole test run hung this way).
        builder.allowBlockingCallsInside("io.lettuce.core.protocol.SharedLock", "incrementWriters");
        builder.allowBlockingCallsInside("io.lettuce.core.protocol.SharedLock", "doExclusive");
        // Caffeine's clear() takes the cache's eviction lock, which its own maintenance holds only
        // to drain its small read and write buffers; a node clears its memory tier this way from
        // Lettuce's event loop when its invalidation channel is (re)subscribed.
        builder.allowBlockingCallsInside("com.github.benmanes.caffeine.cache.BoundedLocalCache", "clear");
        // The same lock, taken by the upkeep itself, which the two-tier cache runs on the
        // caller's thread (TwoTierCache): held for a drain of a few entries, never for a wait.
        builder.allowBlockingCallsInside("com.github.benmanes.caffeine.cache.BoundedLocalCache", "performCleanUp");
        // Netty's adaptive allocator takes a StampedLock for a moment when it adds or retires a
        // magazine (a per-thread slab of buffers); seen on Lettuce's event loop at connect.
        builder.allowBlockingCallsInside("io.netty.buffer.AdaptivePoolingAllocator$MagazineGroup", "tryExpandMagazines");
        builder.allowBlockingCallsInside("io.netty.buffer.AdaptivePoolingAllocator$Magazine", "free");
        // The AWS SDK keeps spare MessageDigests in a LinkedBlockingDeque and takes or returns
        // one per checksummed request: a lock held for a poll or an offer, never a wait.
        builder.allowBlockingCallsInside("software.amazon.awssdk.checksums.internal.DigestAlgorithm", "getDigest");
        builder.allowBlockingCallsInside("software.amazon.awssdk.checksums.internal.DigestAlgorithm$CloseableMessageDigest", "close");
        // The SDK arms each call's timeout on its own scheduled executor; while that pool is still
        // starting its threads (the first calls of a client), schedule() takes the pool's lock
        // for a moment to add one. Seen with 100 concurrent writers on a fresh client.
        builder.allowBlockingCallsInside("software.amazon.awssdk.core.internal.http.timers.TimerUtils",
                "timeAsyncTaskIfNeeded");
        // The same pool runs the delay before a retry (small PUTs are retried).
        builder.allowBlockingCallsInside("software.amazon.awssdk.core.internal.http.pipeline.stages.AsyncRetryableStage",
                "scheduleOrFail");
        // An AsynchronousFileChannel (the filesystem store's reads and writes, Spring's
        // DataBufferUtils, the tus window spool) hands each read or write to its thread pool;
        // while that pool adds a thread, execute() takes the pool's lock for a moment. The I/O
        // itself runs on the pool. Seen with 100 concurrent writers.
        builder.allowBlockingCallsInside("sun.nio.ch.SimpleAsynchronousFileChannelImpl", "implRead");
        builder.allowBlockingCallsInside("sun.nio.ch.SimpleAsynchronousFileChannelImpl", "implWrite");
        // Closing an S3AsyncClient: the SDK hands the pool's close to Netty's GlobalEventExecutor
        // (a utility thread, not an I/O loop) and waits there for its channels to close.
        builder.allowBlockingCallsInside(
                "software.amazon.awssdk.http.nio.netty.internal.IdleConnectionCountingChannelPool", "close");
    }
}
