package io.granary.common;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.core.io.buffer.NettyDataBufferFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

/**
 * Buffers dropped by an operator are released once, however many stages declare the release and
 * however often an operator drops the same buffer.
 */
class DiscardedBuffersTest {

    private static final NettyDataBufferFactory FACTORY = new NettyDataBufferFactory(UnpooledByteBufAllocator.DEFAULT);
    private static final int BUFFERS = 16;
    private static final int READ_AHEAD = 8;

    /** Each holds two references: the one the stream passes on, and the test's own. */
    private final List<ByteBuf> buffers = IntStream.range(0, BUFFERS)
            .mapToObj(i -> Unpooled.buffer(4).writeInt(i).retain())
            .toList();
    private final List<ByteBuf> pulled = new CopyOnWriteArrayList<>();

    @AfterEach
    void releaseTheTestsReferences() {
        buffers.stream().filter(buffer -> buffer.refCnt() > 0).forEach(buffer -> buffer.release(buffer.refCnt()));
    }

    @Test
    void buffersReadAheadAreReleasedWhenTheStreamIsCancelled() {
        cancelAfterTwo(DiscardedBuffers.release(readAhead(source())));

        assertEachPulledBufferReleasedOnce();
    }

    @Test
    void stagesThatEachDeclareTheReleaseStillReleaseOnce() {
        // Like the upload path: the handler, the digest and the store each declare it.
        Flux<DataBuffer> body = DiscardedBuffers.release(source());
        Flux<DataBuffer> digested = DiscardedBuffers.release(readAhead(body)).map(buffer -> buffer);
        cancelAfterTwo(DiscardedBuffers.release(readAhead(DiscardedBuffers.release(digested))));

        assertEachPulledBufferReleasedOnce();
    }

    @Test
    void plainDiscardHooksWouldReleaseTwice() {
        // What the class exists for: Reactor runs both hooks on each dropped buffer.
        Flux<DataBuffer> twice = readAhead(source())
                .doOnDiscard(DataBuffer.class, DataBufferUtils::release)
                .map(buffer -> buffer)
                .doOnDiscard(DataBuffer.class, DataBufferUtils::release);
        cancelAfterTwo(twice);

        assertThat(pulled.subList(2, pulled.size())).isNotEmpty()
                .allSatisfy(buffer -> assertThat(buffer.refCnt()).isZero());
    }

    @Test
    void aBufferAnOperatorDiscardsTwiceIsReleasedOnce() {
        // publishOn discards an element twice when a cancel clears its queue just after onNext
        // queued it; dropping each buffer twice in a row stands for that race.
        DataBuffer buffer = FACTORY.wrap(buffers.get(0));
        StepVerifier.create(DiscardedBuffers.release(Flux.just(buffer, buffer).filter(dropped -> false)))
                .verifyComplete();

        assertThat(buffers.get(0).refCnt()).isEqualTo(1);
    }

    /** A source that pushes what is asked for, as a socket does (hidden: no fusion with the queue). */
    private Flux<DataBuffer> source() {
        return Flux.fromIterable(buffers).doOnNext(pulled::add).<DataBuffer>map(FACTORY::wrap).hide();
    }

    /**
     * Holds up to {@link #READ_AHEAD} buffers ahead of demand. (The inner Mono is hidden because
     * concatMap's path for a plain {@code Mono.just} discards a value it already emitted when
     * the consumer cancels during onNext, reactor-core#4352.)
     */
    private static Flux<DataBuffer> readAhead(Flux<DataBuffer> flux) {
        return flux.concatMap(buffer -> Mono.just(buffer).hide(), READ_AHEAD);
    }

    /** Takes two buffers (releasing them), then cancels while buffers read ahead are queued. */
    private static void cancelAfterTwo(Flux<DataBuffer> flux) {
        StepVerifier.create(flux.doOnNext(DataBufferUtils::release), 2)
                .expectNextCount(2)
                .thenAwait()
                .thenCancel()
                .verify();
    }

    /** Taken or dropped, every buffer pulled lost exactly the stream's reference; the rest were never read. */
    private void assertEachPulledBufferReleasedOnce() {
        assertThat(pulled).as("buffers read ahead and dropped").hasSizeGreaterThan(2);
        assertThat(buffers).allSatisfy(buffer -> assertThat(buffer.refCnt()).isEqualTo(pulled.contains(buffer) ? 1 : 2));
    }
}
