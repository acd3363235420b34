package io.granary.web;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.timeout.ReadTimeoutException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The body read timeout on a channel with a frozen clock: only a silence inside a body counts. */
class BodyReadTimeoutTest {

    private static final long TIMEOUT_MILLIS = 1000;

    private final List<Throwable> errors = new ArrayList<>();
    private EmbeddedChannel channel;
    private BodyReadTimeout timeout;

    @BeforeEach
    void channel() {
        channel = new EmbeddedChannel();
        channel.freezeTime();
        timeout = new BodyReadTimeout(TimeUnit.MILLISECONDS.toNanos(TIMEOUT_MILLIS));
        // No codec here: the messages below stand for socket reads and decoded messages alike.
        channel.pipeline().addLast(timeout.requests(), timeout.messages(),
                new ChannelInboundHandlerAdapter() {
                    @Override
                    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                        errors.add(cause);
                    }
                });
    }

    @Test
    void aBodyThatStopsArrivingClosesTheConnection() {
        read(new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.PUT, "/o"), content());
        assertClosedAfterExactlyTheTimeout();
    }

    @Test
    void everyReadInsideABodyStartsTheSilenceAgain() {
        read(new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.PUT, "/o"));
        for (int i = 0; i < 5; i++) {
            pass(TIMEOUT_MILLIS / 2 + 100);
            read(content());
        }
        pass(TIMEOUT_MILLIS - 1);
        read(LastHttpContent.EMPTY_LAST_CONTENT);
        pass(10 * TIMEOUT_MILLIS);
        assertThat(channel.isOpen()).isTrue();
        assertThat(errors).isEmpty();
    }

    @Test
    void aWholeRequestSchedulesNothingAndAnIdleConnectionStaysOpen() {
        read(new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/o"), LastHttpContent.EMPTY_LAST_CONTENT);
        assertThat(channel.runScheduledPendingTasks()).isEqualTo(-1);
        pass(10 * TIMEOUT_MILLIS);
        assertThat(channel.isOpen()).isTrue();
        assertThat(errors).isEmpty();
    }

    @Test
    void timeGranaryHoldsBackReadingDoesNotCount() {
        // Backpressure: no read is asked for while the store is slow.
        channel.config().setAutoRead(false);
        read(new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.PUT, "/o"), content());
        pass(10 * TIMEOUT_MILLIS);
        assertThat(channel.isOpen()).isTrue();
        // Asked for more, the client has the whole timeout to answer.
        channel.read();
        assertClosedAfterExactlyTheTimeout();
    }

    @Test
    void aReadRequestMadeWhileOneReadIsDecodedStaysOutstanding() {
        channel.config().setAutoRead(false);
        read(new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.PUT, "/o"));
        channel.read();
        pass(TIMEOUT_MILLIS / 2);
        // One socket read, then a read request before the codec's second message of it (as
        // Reactor Netty asks for more while taking the first): the request is still unanswered.
        channel.pipeline().fireChannelRead(content());
        channel.read();
        channel.pipeline().context(timeout.requests()).fireChannelRead(content());
        channel.releaseInbound();
        pass(TIMEOUT_MILLIS);
        assertThat(channel.isOpen()).isFalse();
    }

    /** Open one millisecond before the timeout, closed with a read timeout at it. */
    private void assertClosedAfterExactlyTheTimeout() {
        pass(TIMEOUT_MILLIS - 1);
        assertThat(channel.isOpen()).isTrue();
        pass(1);
        assertThat(channel.isOpen()).isFalse();
        assertThat(errors).containsExactly(ReadTimeoutException.INSTANCE);
    }

    /** Messages delivered as one read of the socket. */
    private void read(Object... messages) {
        for (Object message : messages) {
            channel.pipeline().fireChannelRead(message);
        }
        channel.pipeline().fireChannelReadComplete();
        channel.releaseInbound();
    }

    private void pass(long millis) {
        channel.advanceTimeBy(millis, TimeUnit.MILLISECONDS);
        channel.runScheduledPendingTasks();
    }

    private static DefaultHttpContent content() {
        return new DefaultHttpContent(Unpooled.wrappedBuffer(new byte[16]));
    }
}
