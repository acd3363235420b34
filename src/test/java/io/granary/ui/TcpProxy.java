package io.granary.ui;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * A TCP proxy on a loopback port in front of a local server, for tests of a browser whose
 * network fails: {@link #cut} closes every proxied connection and refuses new ones for a while
 * (as a dropped link would), {@link #cutAfter} does so once the client has sent a number of
 * bytes, {@link #throttle} slows the client's bytes down so that an upload lasts long enough to
 * be interrupted. Counts the bytes sent by clients ({@link #forwarded}).
 */
final class TcpProxy implements AutoCloseable {

    private final ServerSocket server;
    private final int target;
    private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();
    private final AtomicLong forwarded = new AtomicLong();
    private volatile long refuseUntil;
    private volatile long cutAt = Long.MAX_VALUE;
    private volatile Duration cutFor = Duration.ZERO;
    private volatile long bytesPerSecond;

    TcpProxy(int target) {
        this.target = target;
        try {
            server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        daemon("proxy-accept", this::accept);
    }

    int port() {
        return server.getLocalPort();
    }

    /** The bytes clients sent through the proxy so far. */
    long forwarded() {
        return forwarded.get();
    }

    /** Limits each connection's client-to-server bytes to about {@code bytesPerSecond} (0: no limit). */
    void throttle(long bytesPerSecond) {
        this.bytesPerSecond = bytesPerSecond;
    }

    /** Cuts, as {@link #cut}, once {@link #forwarded} reaches {@code bytes}. */
    void cutAfter(long bytes, Duration outage) {
        cutFor = outage;
        cutAt = bytes;
    }

    /** Resets every open connection and refuses new ones (reset at once) for {@code outage}. */
    void cut(Duration outage) {
        refuseUntil = System.nanoTime() + outage.toNanos();
        sockets.forEach(TcpProxy::reset);
    }

    private void accept() {
        while (!server.isClosed()) {
            Socket client;
            try {
                client = server.accept();
            } catch (IOException closed) {
                return;
            }
            if (System.nanoTime() < refuseUntil) {
                reset(client);
                continue;
            }
            try {
                Socket upstream = new Socket(InetAddress.getLoopbackAddress(), target);
                sockets.add(client);
                sockets.add(upstream);
                daemon("proxy-up", () -> pump(client, upstream, true));
                daemon("proxy-down", () -> pump(upstream, client, false));
            } catch (IOException e) {
                reset(client);
            }
        }
    }

    private void pump(Socket from, Socket to, boolean fromClient) {
        byte[] buffer = new byte[64 * 1024];
        try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
            for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
                out.write(buffer, 0, n);
                if (fromClient) {
                    long rate = bytesPerSecond;
                    if (rate > 0) {
                        LockSupport.parkNanos(n * 1_000_000_000L / rate);
                    }
                    if (forwarded.addAndGet(n) >= cutAt) {
                        cutAt = Long.MAX_VALUE;
                        cut(cutFor);
                    }
                }
            }
        } catch (IOException broken) {
            // Cut, or the other side went away: both ends close below.
        } finally {
            // Gracefully: a reset would throw away an answer still in the socket's buffer.
            close(from);
            close(to);
        }
    }

    private static void reset(Socket socket) {
        try {
            socket.setSoLinger(true, 0);
            socket.close();
        } catch (IOException ignored) {
            // Already closed.
        }
    }

    private void close(Socket socket) {
        sockets.remove(socket);
        try {
            socket.close();
        } catch (IOException ignored) {
            // Already closed.
        }
    }

    private static void daemon(String name, Runnable work) {
        Thread thread = new Thread(work, name);
        thread.setDaemon(true);
        thread.start();
    }

    @Override
    public void close() {
        try {
            server.close();
        } catch (IOException ignored) {
            // Closing anyway.
        }
        sockets.forEach(TcpProxy::reset);
    }
}
