package io.granary.web;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;

/**
 * Keeps {@code Connection: close} off {@code 100 Continue}, an interim response. When a request says
 * {@code Connection: close}, Reactor Netty marks every response on the connection so, the
 * {@code 100 Continue} it sends for {@code Expect: 100-continue} included. HTTP allows the close
 * option on final responses only (RFC 9112 section 9.6), and a strict client takes the interim
 * response as the last one on the connection: Node.js fails the request with "Data after
 * Connection: close" once the real answer follows (the AWS SDK for JavaScript sends both headers
 * on large uploads). The final response still carries the close option, and the connection is
 * closed after it as before.
 *
 * <p>Sits right after the HTTP codec, so it sees each response after Reactor Netty's handlers
 * have set its headers. Stateless: one instance serves every connection.
 */
@ChannelHandler.Sharable
final class InterimResponses extends ChannelOutboundHandlerAdapter {

    static final InterimResponses INSTANCE = new InterimResponses();

    private InterimResponses() {
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        // 100 only: a 101's Connection header names the upgrade, and stays.
        if (msg instanceof HttpResponse response && response.status().equals(HttpResponseStatus.CONTINUE)
                && response.headers().containsValue(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE, true)) {
            response.headers().remove(HttpHeaderNames.CONNECTION);
        }
        ctx.write(msg, promise);
    }
}
