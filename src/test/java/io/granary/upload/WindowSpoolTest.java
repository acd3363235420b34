package io.granary.upload;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.core.io.buffer.DefaultDataBufferFactory;
import org.springframework.core.io.buffer.NettyDataBufferFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

/** The node-local copy of a tus window: what it keeps, and that bytes pass on when it cannot keep them. */
class WindowSpoolTest {

    private static final List<String> PIECES = List.of("first piece,", "second piece,", "third piece");
    private static final String WHOLE = String.join("", PIECES);

    @TempDir
    Path directory;

    @Test
    void keepsEveryByteThatPassedAndRemovesItsFile() throws IOException {
        WindowSpool spool = WindowSpool.create(directory).block();

        assertThat(text(spool.copying(pieces()))).isEqualTo(WHOLE);
        assertThat(spool.size()).isEqualTo(WHOLE.length());
        assertThat(text(spool.read())).isEqualTo(WHOLE);
        assertThat(files()).hasSize(1);

        spool.delete().block();
        assertThat(files()).isEmpty();
    }

    @Test
    void aFailingBodyIsPassedOnOnlyAfterWhatArrivedBeforeItIsKept() {
        WindowSpool spool = WindowSpool.create(directory).block();
        IOException reset = new IOException("connection reset");

        StepVerifier.create(spool.copying(pieces().concatWith(Mono.error(reset))).map(WindowSpoolTest::text))
                .expectNext(PIECES.get(0), PIECES.get(1), PIECES.get(2))
                .verifyErrorMatches(error -> error == reset);
        assertThat(spool.size()).isEqualTo(WHOLE.length());
        assertThat(text(spool.read())).isEqualTo(WHOLE);
        spool.delete().block();
    }

    @Test
    void withoutAFileTheBytesStillPassButNoneAreKept() throws IOException {
        WindowSpool spool = WindowSpool.create(directory.resolve("no-such-directory")).block();

        assertThat(text(spool.copying(pieces()))).isEqualTo(WHOLE);
        assertThat(spool.size()).isZero();
        spool.delete().block();
        assertThat(files()).isEmpty();
    }

    @Test
    void aWriteThatFailsMidwayStopsTheCopyingNotTheBytes() throws IOException {
        WindowSpool spool = WindowSpool.create(directory).block();
        // Closing the file after the first piece makes every later write fail.
        Flux<DataBuffer> closedMidway = pieces().take(1)
                .concatWith(spool.delete().then(Mono.<DataBuffer>empty()))
                .concatWith(pieces().skip(1));

        assertThat(text(spool.copying(closedMidway))).isEqualTo(WHOLE);
        assertThat(spool.size()).as("a spool that lost a write keeps nothing").isZero();
        assertThat(files()).isEmpty();
    }

    @Test
    void aConsumerThatCancelsOnABufferStillOwnsThatBuffer() {
        WindowSpool spool = WindowSpool.create(directory.resolve("no-such-directory")).block();
        ByteBuf held = Unpooled.copiedBuffer(PIECES.get(0), StandardCharsets.UTF_8).retain();
        Flux<DataBuffer> body = Flux.<DataBuffer>just(new NettyDataBufferFactory(UnpooledByteBufAllocator.DEFAULT).wrap(held))
                .concatWith(pieces());

        StepVerifier.create(spool.copying(body), 1)
                .consumeNextWith(DataBufferUtils::release)
                .thenCancel()
                .verify();
        assertThat(held.refCnt()).as("released by the consumer only, not again as discarded").isOne();
        held.release();
    }

    private static Flux<DataBuffer> pieces() {
        return Flux.fromIterable(PIECES).map(piece ->
                DefaultDataBufferFactory.sharedInstance.wrap(piece.getBytes(StandardCharsets.UTF_8)));
    }

    private static String text(Flux<DataBuffer> bytes) {
        return DataBufferUtils.join(bytes).map(WindowSpoolTest::text).block();
    }

    private static String text(DataBuffer buffer) {
        String text = buffer.toString(StandardCharsets.UTF_8);
        DataBufferUtils.release(buffer);
        return text;
    }

    private List<Path> files() throws IOException {
        try (Stream<Path> files = Files.list(directory)) {
            return files.toList();
        }
    }
}
