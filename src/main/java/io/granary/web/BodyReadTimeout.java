package io.granary.web;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.timeout.ReadTimeoutException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * Fails a connection whose request body stops arriving: once a request has begun and its last
 * content has not come, a silence of {@code timeoutNanos} between two reads fires
 * {@link ReadTimeoutException} and closes the connection. Between requests nothing is watched
 * (idle keep-alive connections are another matter).
 *
 * <p>One instance per connection, for its whole life, on its event loop. A request that arrives
 * whole in one read (every bodiless GET or HEAD) schedules nothing: the check is armed only
 * when a read ends with a body still pending, and it compares timestamps instead of being
 * rescheduled on every read. Reactor Netty's own read timeout adds and removes a handler and a
 * timer per request, a measurable share of a cached read's cost.
 */
final class BodyReadTimeout extends ChannelInboundHandlerAdapter {

    private final long timeoutNanos;
    /** A request has begun and its last content has not been read yet. */
    private boolean receiving;
    private long lastRead;
    private Future<?> check;

    BodyReadTimeout(long timeoutNanos) {
        this.timeoutNanos = timeoutNanos;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof HttpRequest) {
            receiving = true;
        }
        if (msg instanceof LastHttpContent) {
            receiving = false;
        }
        ctx.fireChannelRead(msg);
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        if (receiving) {
            lastRead = ctx.executor().ticker().nanoTime();
            if (check == null) {
                schedule(ctx, timeoutNanos);
            }
        }
        ctx.fireChannelReadComplete();
    }

    private void schedule(ChannelHandlerContext ctx, long delayNanos) {
        check = ctx.executor().schedule(() -> expireIfSilent(ctx), delayNanos, TimeUnit.NANOSECONDS);
    }

    private void expireIfSilent(ChannelHandlerContext ctx) {
        check = null;
        if (!receiving || !ctx.channel().isOpen()) {
            return;
        }
        long left = timeoutNanos - (ctx.executor().ticker().nanoTime() - lastRead);
        if (left > 0) {
            schedule(ctx, left);
            return;
        }
        receiving = false;
        ctx.fireExceptionCaught(ReadTimeoutException.INSTANCE);
        ctx.close();
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
}
