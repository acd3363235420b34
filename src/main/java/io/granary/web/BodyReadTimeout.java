package io.granary.web;

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.timeout.ReadTimeoutException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * Fails a connection whose request body stops arriving: once a request has begun and its last
 * content has not come, a silence of {@code timeoutNanos} while Granary is asking for bytes
 * fires {@link ReadTimeoutException} and closes the connection. Between requests nothing is
 * watched (idle keep-alive connections are another matter), and neither is the time Granary
 * itself holds back reading for backpressure (a slow store): the silence counts only while a
 * read is outstanding, from the first read request (Netty's outbound {@code read}, issued by
 * Reactor Netty when its subscriber has demand and by the pipeline after every read while
 * auto-read is on) that no bytes from the socket answered yet.
 *
 * <p>Two handlers share one watch, because the two facts live at two places of the pipeline:
 * {@link #requests()} goes before the HTTP codec, where every socket read and read request
 * passes (a read answers all requests made before it, as in Netty's own bookkeeping, even when
 * the codec makes several messages of it); {@link #messages()} goes after it, where requests
 * and their last contents come out.
 *
 * <p>One instance per connection, for its whole life, on its event loop. A request that arrives
 * whole in one read (every bodiless GET or HEAD) schedules nothing: the check is armed only
 * when bytes are asked for with a body still pending, and it compares timestamps instead of
 * being rescheduled on every read. Reactor Netty's own read timeout adds and removes a handler
 * and a timer per request, a measurable share of a cached read's cost.
 */
final class BodyReadTimeout {

    private final long timeoutNanos;
    private final Requests requests = new Requests();
    private final Messages messages = new Messages();
    /** A request has begun and its last content has not been read yet. */
    private boolean receiving;
    /** Bytes were asked for and no read of the socket came since. */
    private boolean outstanding;
    private long outstandingSince;
    private Future<?> check;

    BodyReadTimeout(long timeoutNanos) {
        this.timeoutNanos = timeoutNanos;
    }

    /** The handler for before the HTTP codec: socket reads and read requests. */
    ChannelHandler requests() {
        return requests;
    }

    /** The handler for after the HTTP codec: where requests begin and end. */
    ChannelHandler messages() {
        return messages;
    }

    private final class Requests extends ChannelDuplexHandler {

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            outstanding = false;
            ctx.fireChannelRead(msg);
        }

        @Override
        public void read(ChannelHandlerContext ctx) {
            if (!outstanding) {
                outstanding = true;
                // Timed only inside a body (no clock read per bodiless request); a request that
                // begins while this read is outstanding starts the clock then.
                if (receiving) {
                    outstandingSince = ctx.executor().ticker().nanoTime();
                }
            }
            if (receiving && check == null) {
                schedule(ctx, timeoutNanos);
            }
            ctx.read();
        }

        @Override
        public void handlerRemoved(ChannelHandlerContext ctx) {
            if (check != null) {
                check.cancel(false);
                check = null;
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) throws Exception {
            handlerRemoved(ctx);
            super.channelInactive(ctx);
        }

        private void schedule(ChannelHandlerContext ctx, long delayNanos) {
            check = ctx.executor().schedule(() -> expireIfSilent(ctx), delayNanos, TimeUnit.NANOSECONDS);
        }

        private void expireIfSilent(ChannelHandlerContext ctx) {
            check = null;
            // Not receiving, or not asking: the next read request arms the check again.
            if (!receiving || !outstanding || !ctx.channel().isOpen()) {
                return;
            }
            long left = timeoutNanos - (ctx.executor().ticker().nanoTime() - outstandingSince);
            if (left > 0) {
                schedule(ctx, left);
                return;
            }
            receiving = false;
            // Fired from after the codec, where the server's own handlers take it.
            ChannelHandlerContext after = ctx.pipeline().context(messages);
            (after != null ? after : ctx).fireExceptionCaught(ReadTimeoutException.INSTANCE);
            ctx.close();
        }
    }

    private final class Messages extends ChannelInboundHandlerAdapter {

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof HttpRequest) {
                receiving = true;
                if (outstanding) {
                    outstandingSince = ctx.executor().ticker().nanoTime();
                }
            }
            if (msg instanceof LastHttpContent) {
                receiving = false;
            }
            ctx.fireChannelRead(msg);
        }
    }
}
