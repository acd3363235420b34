package io.granary.web;

import io.granary.error.ErrorCode;
import io.granary.error.GranaryException;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.util.ReferenceCountUtil;
import reactor.netty.channel.ChannelOperations;

/**
 * Turns a request body whose framing broke into a failed body. Netty's HTTP decoder reports a
 * bad chunk (a size that is not hex or overflows, an over-long chunk or trailer line, garbage
 * in the trailer) as a last content carrying a failed {@link DecoderResult}, and Reactor Netty
 * takes any last content as the end of the body: the request's subscriber saw a shorter body
 * complete normally, and a PUT committed it. Here the failed content is dropped and the failure
 * raised on the connection instead, where Reactor Netty hands it to the body's subscriber as an
 * error ({@link ErrorCode#MALFORMED_BODY}): every front-end's upload fails before it commits,
 * and the answer is a 400. The decoder discards everything after such a failure, so the
 * connection is closed once that answer is sent.
 *
 * <p>Sits right after the HTTP codec, so it sees what the decoder made of the bytes before any
 * of Reactor Netty's handlers. One instance per connection.
 */
final class BodyFraming extends ChannelInboundHandlerAdapter {

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        // A request that failed to decode (a bad request line or header) is Reactor Netty's to refuse.
        if (msg instanceof HttpContent content && !(msg instanceof HttpRequest) && content.decoderResult().isFailure()) {
            Throwable cause = content.decoderResult().cause();
            ReferenceCountUtil.release(msg);
            if (ChannelOperations.get(ctx.channel()) == null) {
                // The request was answered already (refused before its body was read): no one
                // to tell, and nothing after the break can be read.
                ctx.close();
                return;
            }
            ctx.fireExceptionCaught(new GranaryException(ErrorCode.MALFORMED_BODY, "The chunked request body is malformed "
                    + "(a chunk size, chunk extension or trailer that is not valid HTTP/1.1); nothing of it was kept.", cause));
            return;
        }
        ctx.fireChannelRead(msg);
    }
}
