package io.granary.object;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.granary.error.GranaryException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DefaultDataBufferFactory;
import reactor.core.publisher.Flux;
import reactor.test.StepVerifier;

class ContentSnifferTest {

    static final byte[] PNG_SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};

    static byte[] png(int size) {
        byte[] bytes = Arrays.copyOf(PNG_SIGNATURE, size);
        return bytes;
    }

    private static byte[] text(String value) {
        return value.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void matchingAndRelatedTypesPass() {
        assertThat(ContentSniffer.mismatch(png(100), "image/png")).isNull();
        assertThat(ContentSniffer.mismatch(text("%PDF-1.7\n%âãÏÓ\n1 0 obj"), "application/pdf")).isNull();
        assertThat(ContentSniffer.mismatch(text("a,b\n1,2\n"), "text/csv")).isNull();
        assertThat(ContentSniffer.mismatch(text("{\"a\": 1}"), "application/json")).isNull();
        assertThat(ContentSniffer.mismatch(new byte[64], "application/x-granary-custom")).isNull();
        assertThat(ContentSniffer.mismatch(png(100), "application/octet-stream")).isNull();
        // The most general type fits whatever the bytes are.
        assertThat(ContentSniffer.mismatch(text("plain words"), "application/octet-stream")).isNull();
        assertThat(ContentSniffer.mismatch(new byte[64], "application/octet-stream")).isNull();
    }

    @Test
    void theRulesNeedOnlyTheDetectedType() {
        assertThat(ContentSniffer.detect(png(100))).isEqualTo("image/png");
        assertThat(ContentSniffer.detect(text("hello"))).isEqualTo("text/plain");
        assertThat(ContentSniffer.detect(new byte[0])).isNull();
        assertThat(ContentSniffer.mismatch("image/png", "image/png")).isNull();
        assertThat(ContentSniffer.mismatch("image/png", "application/pdf")).isNotNull();
        assertThat(ContentSniffer.mismatch("text/plain", "text/markdown")).isNull();
        assertThat(ContentSniffer.mismatch("application/octet-stream", "image/gif")).isNotNull();
        assertThat(ContentSniffer.mismatch((String) null, "image/gif")).isNull();
    }

    @Test
    void detectionFromAStreamReadsOnlyTheFirstBytesAndReleasesThem() {
        byte[] body = png(64 * 1024);
        java.util.concurrent.atomic.AtomicInteger emitted = new java.util.concurrent.atomic.AtomicInteger();
        List<DataBuffer> buffers = new java.util.ArrayList<>();
        Flux<DataBuffer> chunks = Flux.range(0, 64).map(i -> {
            // Reference-counted buffers, so a buffer left unreleased shows.
            DataBuffer buffer = new org.springframework.core.io.buffer.NettyDataBufferFactory(
                    io.netty.buffer.UnpooledByteBufAllocator.DEFAULT)
                    .allocateBuffer(1024).write(Arrays.copyOfRange(body, i * 1024, (i + 1) * 1024));
            buffers.add(buffer);
            return buffer;
        }).doOnNext(b -> emitted.incrementAndGet());
        StepVerifier.create(ContentSniffer.detect(chunks)).expectNext("image/png").verifyComplete();
        assertThat(emitted.get()).isLessThanOrEqualTo(ContentSniffer.SNIFF_BYTES / 1024 + 1);
        assertThat(buffers).isNotEmpty().allSatisfy(buffer ->
                assertThat(((org.springframework.core.io.buffer.NettyDataBuffer) buffer).getNativeBuffer().refCnt()).isZero());
        StepVerifier.create(ContentSniffer.detect(Flux.empty())).verifyComplete();
    }

    @Test
    void theSnifferKeepsWhatItDetected() {
        ContentSniffer sniffer = new ContentSniffer("image/png");
        StepVerifier.create(sniffer.observe(Flux.just(DefaultDataBufferFactory.sharedInstance.wrap(png(20_000)))))
                .expectNextCount(1).verifyComplete();
        sniffer.verify();
        assertThat(sniffer.detected()).isEqualTo("image/png");
        ContentSniffer empty = new ContentSniffer("image/png");
        StepVerifier.create(empty.observe(Flux.empty())).verifyComplete();
        empty.verify();
        assertThat(empty.detected()).isNull();
    }

    @Test
    void contradictionsAreRefused() {
        assertThat(ContentSniffer.mismatch(text("<html><body>hi</body></html>"), "image/png"))
                .isNotNull().extracting(e -> e.code().code()).isEqualTo("content_type_mismatch");
        assertThat(ContentSniffer.mismatch(text("%PDF-1.7\n"), "image/jpeg")).isNotNull();
        // Bytes that are no PNG at all, declared as PNG.
        assertThat(ContentSniffer.mismatch(new byte[64], "image/png")).isNotNull();
        assertThat(ContentSniffer.mismatch(png(100), "text/plain")).isNotNull();
    }

    @Test
    void theStreamPassesThroughAndFailsOnlyOnContradiction() {
        byte[] body = png(20_000);
        Flux<DataBuffer> chunks = Flux.range(0, 20).map(i -> DefaultDataBufferFactory.sharedInstance
                .wrap(Arrays.copyOfRange(body, i * 1000, (i + 1) * 1000)));
        ContentSniffer sniffer = new ContentSniffer("image/png");
        StepVerifier.create(sniffer.observe(chunks).map(DataBuffer::readableByteCount).reduce(0, Integer::sum))
                .expectNext(20_000).verifyComplete();
        sniffer.verify();

        Flux<DataBuffer> html = Flux.fromIterable(List.of(text("<html><body>"), text("x".repeat(9000))))
                .map(DefaultDataBufferFactory.sharedInstance::wrap);
        StepVerifier.create(new ContentSniffer("image/png").observe(html)).expectNextCount(1)
                .verifyErrorMatches(e -> e instanceof GranaryException g && g.code().code().equals("content_type_mismatch"));
    }

    @Test
    void aShortBodyIsJudgedWhenComplete() {
        ContentSniffer sniffer = new ContentSniffer("image/png");
        StepVerifier.create(sniffer.observe(Flux.just(DefaultDataBufferFactory.sharedInstance.wrap(text("<html>")))))
                .expectNextCount(1).verifyComplete();
        assertThatThrownBy(sniffer::verify).isInstanceOf(GranaryException.class);

        ContentSniffer empty = new ContentSniffer("image/png");
        StepVerifier.create(empty.observe(Flux.empty())).verifyComplete();
        empty.verify();
    }
}
