package io.granary.web;

/**
 * Caps how many buffers Reactor Netty writes ahead of a slow reader. Every response body goes
 * through Reactor Netty's send operator, which requests {@code reactor.netty.send.maxPrefetchSize} buffers from the body up front (128 by
 * default) and asks for more as soon as half of them have been handed to the socket, whether or
 * not the client reads. A write counts as handed over once it is queued in the channel, so for
 * a client that reads slowly the gateway keeps that many buffers per response: with 64 KiB
 * buffers 8 MiB. Sixteen bounds a response to 1 MiB of 64 KiB file reads, or 4 MiB of S3 reads
 * (which grow to {@code S3ObjectReader.MAX_READ}, 256 KiB), still plenty to keep a fast
 * client's socket busy.
 *
 * <p>Reactor Netty reads the property once, when its send operator's class loads, so it must
 * be set before the first response is written: {@link io.granary.GranaryApplication} does it
 * when it is loaded. An operator who sets the property on the command line wins.
 */
public final class SendPrefetch {

    /** Reactor Netty's system property ({@code ReactorNetty.SEND_MAX_PREFETCH_SIZE}). */
    public static final String PROPERTY = "reactor.netty.send.maxPrefetchSize";
    /** Buffers a response may have in flight towards the client. */
    public static final int DEFAULT = 16;

    private SendPrefetch() {
    }

    /** Sets the cap unless the property is already set (then the given value stays). */
    public static void install() {
        if (System.getProperty(PROPERTY) == null) {
            System.setProperty(PROPERTY, Integer.toString(DEFAULT));
        }
    }
}
