package io.granary.object;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.granary.error.GranaryException;
import io.granary.storage.BlobContent;
import io.granary.storage.BlobLocation;
import io.netty.buffer.PooledByteBufAllocator;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.core.io.buffer.NettyDataBuffer;
import org.springframework.core.io.buffer.NettyDataBufferFactory;
import reactor.core.publisher.Flux;
import reactor.test.StepVerifier;

class ExactLengthTest {

    private static final BlobLocation LOCATION = new BlobLocation("t/x/b/blob");
    private final NettyDataBufferFactory buffers = new NettyDataBufferFactory(PooledByteBufAllocator.DEFAULT);
    private final List<DataBuffer> made = new ArrayList<>();

    private Flux<DataBuffer> chunks(int... sizes) {
        return Flux.defer(() -> Flux.fromStream(Arrays.stream(sizes).boxed())
                .map(size -> {
                    DataBuffer buffer = buffers.allocateBuffer(size).write(new byte[size]);
                    made.add(buffer);
                    return buffer;
                }));
    }

    private Flux<DataBuffer> checked(Flux<DataBuffer> stream, long expected) {
        return ExactLength.require(new BlobContent.Streamed(stream), expected, LOCATION).stream();
    }

    @Test
    void aStreamOfTheRecordsLengthPassesUnchanged() {
        StepVerifier.create(checked(chunks(40, 60), 100).map(buffer -> {
                    int size = buffer.readableByteCount();
                    DataBufferUtils.release(buffer);
                    return size;
                }))
                .expectNext(40, 60)
                .verifyComplete();
    }

    @Test
    void aShortStreamFailsAfterItsLastByte() {
        StepVerifier.create(checked(chunks(40, 10), 100).doOnNext(DataBufferUtils::release))
                .expectNextCount(2)
                .expectErrorSatisfies(error -> assertThat(error).isInstanceOf(GranaryException.class)
                        .hasMessageContaining("damaged"))
                .verify();
    }

    @Test
    void aLongStreamFailsBeforeTheBufferThatOverruns() {
        StepVerifier.create(checked(chunks(60, 60, 60), 100).doOnNext(DataBufferUtils::release))
                .expectNextCount(1)
                .expectError(GranaryException.class)
                .verify();
        assertThat(made).as("the overrunning buffer is released, nothing after it is read").hasSize(2)
                .allSatisfy(buffer -> assertThat(((NettyDataBuffer) buffer).getNativeBuffer().refCnt()).isZero());
    }

    @Test
    void aLocalFileOfAnotherSizeFailsBeforeAnyByte() {
        BlobContent file = new BlobContent.LocalFile(Path.of("unused"), 0, 50, Flux.empty());
        assertThatThrownBy(() -> ExactLength.require(file, 100, LOCATION)).isInstanceOf(GranaryException.class);
        assertThat(ExactLength.require(file, 50, LOCATION)).isSameAs(file);
    }
}
