package io.granary.object;

import static org.assertj.core.api.Assertions.assertThat;

import io.granary.error.ErrorCode;
import io.granary.error.GranaryException;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import java.io.ByteArrayOutputStream;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.core.io.buffer.NettyDataBufferFactory;
import reactor.core.publisher.Flux;
import reactor.core.scheduler.Schedulers;
import reactor.test.StepVerifier;

/**
 * The digest passes a body on in batches, hashed off the caller's thread: the bytes arrive
 * exact and in order, the digests are those of the whole body, and every buffer is released
 * once, also when the stream is cancelled or fails while a batch is being hashed.
 */
class BodyDigestTest {

    private static final NettyDataBufferFactory FACTORY = new NettyDataBufferFactory(PooledByteBufAllocator.DEFAULT);

    /** Each holds the test's own reference besides the one the stream passes on. */
    private final List<ByteBuf> sent = new java.util.concurrent.CopyOnWriteArrayList<>();

    @BeforeAll
    static void initialiseDataBufferUtils() {
        // Its class initialiser reads from a jar, which BlockHound would catch on the digest
        // threads where the batches arrive; in the server it is initialised long before.
        DataBufferUtils.release(FACTORY.allocateBuffer(1));
    }

    @AfterEach
    void releaseTheTestsReferences() {
        sent.stream().filter(buffer -> buffer.refCnt() > 0).forEach(buffer -> buffer.release(buffer.refCnt()));
    }

    @Test
    void batchesCarryTheExactBytesAndTheDigestsAreTheWholeBodys() throws Exception {
        byte[] data = random(5 * BodyDigest.BATCH_BYTES + 12_345);
        BodyDigest digest = new BodyDigest(null);
        ByteArrayOutputStream received = new ByteArrayOutputStream();
        List<Integer> sizes = new ArrayList<>();

        digest.observe(chunks(data)).doOnNext(batch -> {
            sizes.add(batch.readableByteCount());
            byte[] bytes = new byte[batch.readableByteCount()];
            batch.read(bytes);
            received.writeBytes(bytes);
            DataBufferUtils.release(batch);
        }).blockLast(Duration.ofSeconds(30));

        assertThat(received.toByteArray()).isEqualTo(data);
        assertThat(sizes.subList(0, sizes.size() - 1)).as("every batch but the last is full")
                .allSatisfy(size -> assertThat(size).isGreaterThanOrEqualTo(BodyDigest.BATCH_BYTES));
        assertThat(digest.size()).isEqualTo(data.length);
        assertThat(digest.md5Hex()).isEqualTo(hex("MD5", data));
        assertThat(digest.sha256Hex()).isEqualTo(hex("SHA-256", data));
        assertOnlyTheTestsReferencesLeft();
    }

    @Test
    void aCancelWhileBatchesAreHashedReleasesEveryBuffer() {
        byte[] data = random(8 * BodyDigest.BATCH_BYTES);
        for (int round = 0; round < 20; round++) {
            StepVerifier.create(new BodyDigest(null).observe(chunks(data).publishOn(Schedulers.parallel()))
                            .doOnNext(DataBufferUtils::release), 1)
                    .expectNextCount(1)
                    .thenCancel()
                    .verify(Duration.ofSeconds(10));
        }
        awaitOnlyTheTestsReferencesLeft();
    }

    @Test
    void aBodyThatFailsMidwayReleasesEveryBuffer() {
        byte[] data = random(3 * BodyDigest.BATCH_BYTES);
        Flux<DataBuffer> broken = chunks(data).concatWith(Flux.error(new IllegalStateException("connection lost")));
        // The failure may overtake batches still being hashed: those are released, not passed on.
        StepVerifier.create(new BodyDigest(null).observe(broken).doOnNext(DataBufferUtils::release))
                .thenConsumeWhile(batch -> true)
                .expectErrorSatisfies(error -> assertThat(((GranaryException) error).code()).isEqualTo(ErrorCode.INCOMPLETE_BODY))
                .verify(Duration.ofSeconds(10));
        awaitOnlyTheTestsReferencesLeft();
    }

    @Test
    void aBodyOverTheLimitStopsAtOnceAndReleasesEveryBuffer() {
        byte[] data = random(3 * BodyDigest.BATCH_BYTES);
        StepVerifier.create(new BodyDigest((long) BodyDigest.BATCH_BYTES + 1).observe(chunks(data))
                        .doOnNext(DataBufferUtils::release))
                .thenConsumeWhile(batch -> true)
                .expectErrorSatisfies(error -> assertThat(((GranaryException) error).code()).isEqualTo(ErrorCode.ENTITY_TOO_LARGE))
                .verify(Duration.ofSeconds(10));
        awaitOnlyTheTestsReferencesLeft();
    }

    /**
     * {@code data} in pooled direct buffers of varying sizes up to 64 KiB, as Netty reads them;
     * each is allocated only when it is emitted, as Netty's are.
     */
    private Flux<DataBuffer> chunks(byte[] data) {
        Random sizes = new Random(7);
        List<int[]> slices = new ArrayList<>();
        for (int offset = 0; offset < data.length; ) {
            int length = Math.min(data.length - offset, 1 + sizes.nextInt(64 * 1024));
            slices.add(new int[] {offset, length});
            offset += length;
        }
        return Flux.fromIterable(slices).map(slice -> {
            ByteBuf buffer = PooledByteBufAllocator.DEFAULT.directBuffer(slice[1]).writeBytes(data, slice[0], slice[1]);
            sent.add(buffer.retain());
            return FACTORY.wrap(buffer);
        });
    }

    private void assertOnlyTheTestsReferencesLeft() {
        assertThat(sent).allSatisfy(buffer -> assertThat(buffer.refCnt()).isEqualTo(1));
    }

    /** Buffers being hashed when the stream ended are released once their digests are done. */
    private void awaitOnlyTheTestsReferencesLeft() {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (sent.stream().anyMatch(buffer -> buffer.refCnt() != 1) && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
        assertOnlyTheTestsReferencesLeft();
    }

    private static byte[] random(int length) {
        byte[] data = new byte[length];
        new Random(length).nextBytes(data);
        return data;
    }

    private static String hex(String algorithm, byte[] data) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance(algorithm).digest(data));
    }
}
