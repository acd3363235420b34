package io.granary.web;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufHolder;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.channel.FileRegion;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.AttributeKey;
import java.util.ArrayDeque;

/**
 * Keeps the {@link AccessRecord}s of one HTTP/1.1 connection and writes each to the access log
 * when its response ends. Sits right after the HTTP codec, before Reactor Netty's own handlers:
 * it sees every request as decoded (also pipelined ones Reactor Netty holds back, and bad ones
 * it refuses itself) and every response part on its way out, also those Reactor Netty writes
 * itself. Responses go out in the order requests came, so the oldest open record is the one
 * being answered. Informational responses ({@code 100 Continue}) are not the answer. An ended
 * record is also reported to {@link BucketTraffic}, for the usage history.
 *
 * <p>One instance per connection, used on its event loop only.
 */
final class AccessRecorder extends ChannelDuplexHandler {

    static final AttributeKey<AccessRecorder> KEY = AttributeKey.valueOf("granary.accessRecorder");

    private final ArrayDeque<Open> open = new ArrayDeque<>(2);
    private final BucketTraffic traffic;

    AccessRecorder(BucketTraffic traffic) {
        this.traffic = traffic;
    }

    /** A record with the identity of the request it belongs to. */
    private record Open(HttpHeaders headers, AccessRecord record) {
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        ctx.channel().attr(KEY).set(this);
    }

    /** The record of the request whose headers are {@code headers} (the same object), or {@code null}. */
    AccessRecord find(HttpHeaders headers) {
        for (Open candidate : open) {
            if (candidate.headers() == headers) {
                return candidate.record();
            }
        }
        return null;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof HttpRequest request) {
            open.add(new Open(request.headers(), new AccessRecord(RequestIds.choose(request.headers().get(RequestIds.HEADER)),
                    request.method().name(), pathOf(request.uri()), System.nanoTime())));
        }
        ctx.fireChannelRead(msg);
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        Open current = open.peekFirst();
        if (current == null || (msg instanceof HttpResponse response
                && response.status().codeClass() == HttpStatusClass.INFORMATIONAL)) {
            ctx.write(msg, promise);
            return;
        }
        AccessRecord record = current.record();
        if (msg instanceof HttpResponse response) {
            record.status = response.status().code();
        }
        long bytes = bodyBytes(msg);
        boolean last = msg instanceof LastHttpContent;
        if (bytes == 0 && !last && !(msg instanceof FileRegion)) {
            ctx.write(msg, promise);
            return;
        }
        if (last) {
            open.pollFirst();
        }
        // Counted once the socket took them: a response cut off is logged with what went out.
        ChannelPromise written = promise.unvoid();
        written.addListener(future -> {
            record.bytes += future.isSuccess() ? bytes : msg instanceof FileRegion region ? region.transferred() : 0;
            if (last) {
                AccessLog.write(record, future.isSuccess() ? "complete" : "aborted");
                record.report(traffic);
            }
        });
        ctx.write(msg, written);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        // Requests whose answer never ended: cut off by the client, or failed after it began.
        for (Open left; (left = open.pollFirst()) != null; ) {
            AccessLog.write(left.record(), "aborted");
            left.record().report(traffic);
        }
        super.channelInactive(ctx);
    }

    private static long bodyBytes(Object msg) {
        if (msg instanceof ByteBufHolder holder) {
            return holder.content().readableBytes();
        }
        if (msg instanceof ByteBuf buffer) {
            return buffer.readableBytes();
        }
        return msg instanceof FileRegion region ? region.count() : 0;
    }

    /** The path alone: a query may carry a signed URL's token. */
    private static String pathOf(String uri) {
        int query = uri.indexOf('?');
        return query < 0 ? uri : uri.substring(0, query);
    }
}
