package io.granary.testsupport;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A TCP forwarder on loopback that closes its first {@code drops} connections once the client has
 * sent some bytes, without answering: a server that drops a connection under a request. Later
 * connections are piped to the target unchanged. Plain threads and blocking sockets: test code.
 */
public final class DroppingTcpProxy implements AutoCloseable {

    /** Bytes read from a dropped connection before it is closed: well into the request. */
    private static final int READ_BEFORE_DROP = 512;

    private final ServerSocket server;
    private final URI target;
    private final int drops;
    private final AtomicInteger accepted = new AtomicInteger();
    private final List<Socket> open = new CopyOnWriteArrayList<>();

    public DroppingTcpProxy(URI target, int drops) {
        this.target = target;
        this.drops = drops;
        try {
            this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Thread acceptor = new Thread(this::accept, "dropping-proxy-accept");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    public URI endpoint() {
        return URI.create("http://127.0.0.1:" + server.getLocalPort());
    }

    /** Connections accepted so far, dropped ones included. */
    public int connections() {
        return accepted.get();
    }

    private void accept() {
        while (!server.isClosed()) {
            try {
                Socket client = server.accept();
                open.add(client);
                if (accepted.incrementAndGet() <= drops) {
                    start(() -> drop(client));
                } else {
                    Socket upstream = new Socket(target.getHost(), target.getPort());
                    open.add(upstream);
                    start(() -> pipe(client, upstream));
                    start(() -> pipe(upstream, client));
                }
            } catch (IOException closed) {
                return;
            }
        }
    }

    private static void drop(Socket client) {
        try (client) {
            InputStream in = client.getInputStream();
            byte[] buffer = new byte[READ_BEFORE_DROP];
            int read = 0;
            while (read < READ_BEFORE_DROP) {
                int n = in.read(buffer, read, READ_BEFORE_DROP - read);
                if (n < 0) {
                    return;
                }
                read += n;
            }
        } catch (IOException ignored) {
            // The client went away first: dropped either way.
        }
    }

    private static void pipe(Socket from, Socket to) {
        try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
            in.transferTo(out);
        } catch (IOException closed) {
            // One side closed: close both below.
        } finally {
            closeQuietly(from);
            closeQuietly(to);
        }
    }

    private static void start(Runnable work) {
        Thread thread = new Thread(work, "dropping-proxy-io");
        thread.setDaemon(true);
        thread.start();
    }

    private static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException ignored) {
            // Already closed.
        }
    }

    @Override
    public void close() {
        try {
            server.close();
        } catch (IOException ignored) {
            // Closing anyway.
        }
        open.forEach(DroppingTcpProxy::closeQuietly);
    }
}
