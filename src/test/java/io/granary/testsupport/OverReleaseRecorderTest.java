package io.granary.testsupport;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.DecoderException;
import io.netty.util.IllegalReferenceCountException;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The log events that the leak check turns into failures, and only those. */
class OverReleaseRecorderTest {

    private static final Logger LOG = LoggerFactory.getLogger(OverReleaseRecorderTest.class);

    @Test
    void recordsOverReleasesLoggedAsExceptionsCausesOrTextOnly() {
        OverReleaseRecorder.attach();
        OverReleaseRecorder.drain();

        LOG.warn("Error in discard hook", new IllegalReferenceCountException(0, -1));
        LOG.error("Operator called default onErrorDropped", new DecoderException(new IllegalReferenceCountException(0, -1)));
        LOG.warn("An exception has been observed post termination: {}", new DecoderException(new IllegalReferenceCountException(0, -1)).toString());
        LOG.warn("Something else went wrong", new IllegalStateException("not a buffer"));

        assertThat(OverReleaseRecorder.drain()).hasSize(3)
                .allSatisfy(report -> assertThat(report).doesNotContain("Something else"));
        assertThat(OverReleaseRecorder.drain()).isEmpty();
    }

    @Test
    void nettysReportsOnTheSdksEventLoopsAreNotCounted() throws InterruptedException {
        OverReleaseRecorder.attach();
        OverReleaseRecorder.drain();
        Logger netty = LoggerFactory.getLogger("io.netty.channel.AbstractChannelHandlerContext");
        Thread sdk = new Thread(() -> {
            netty.warn("Failed to mark a promise as failure", new IllegalReferenceCountException(0, -1));
            LOG.warn("Error in discard hook", new IllegalReferenceCountException(0, -1));
        }, "aws-java-sdk-NettyEventLoop-1-1");
        sdk.start();
        sdk.join();

        assertThat(OverReleaseRecorder.drain()).singleElement().asString().contains("Error in discard hook");
    }
}
