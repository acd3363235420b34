package io.granary.testsupport;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.utility.DockerImageName;
import redis.embedded.core.ExecutableProvider;

/**
 * A real Redis for tests, from the first of these that exists: the {@code redis-server} on
 * {@code PATH} (Debian's {@code redis-server} package), the binary bundled in the
 * {@code embedded-redis} test dependency, or a {@code redis} container where a Docker engine
 * runs. The system property {@value #SOURCE_PROPERTY} ({@code path}, {@code bundled},
 * {@code container}) forces one.
 *
 * <p>{@link #stop()} and {@link #restart()} simulate a crash: the process is killed and a fresh,
 * empty one starts on the same port (a container is paused and resumed instead, because a
 * restarted container may get another port). {@link #freeze()} and {@link #thaw()} make it hang
 * and go on ({@code SIGSTOP}/{@code SIGCONT}, or pause for a container). {@link #close()} ends it
 * for good.
 */
public final class TestRedis implements AutoCloseable {

    public static final String SOURCE_PROPERTY = "granary.test.redis";

    private static final Duration STARTUP_TIMEOUT = Duration.ofSeconds(30);

    private final String source;
    private final Path executable;
    private final Path directory;
    private final int port;
    private final GenericContainer<?> container;
    private Process process;

    private TestRedis(String source, Path executable, Path directory, int port, GenericContainer<?> container) {
        this.source = source;
        this.executable = executable;
        this.directory = directory;
        this.port = port;
        this.container = container;
    }

    /** Starts a Redis on a free loopback port; the caller closes it. */
    public static TestRedis start() {
        String wanted = System.getProperty(SOURCE_PROPERTY, "").strip().toLowerCase(Locale.ROOT);
        Path onPath = wanted.isEmpty() || wanted.equals("path") ? findOnPath("redis-server") : null;
        if (onPath != null) {
            return startProcess("redis-server on PATH (" + onPath + ")", onPath);
        }
        if (wanted.isEmpty() || wanted.equals("bundled")) {
            Path bundled = bundledBinary();
            if (bundled != null) {
                return startProcess("redis-server bundled in embedded-redis", bundled);
            }
        }
        if ((wanted.isEmpty() || wanted.equals("container")) && DockerClientFactory.instance().isDockerAvailable()) {
            GenericContainer<?> container = new GenericContainer<>(DockerImageName.parse("redis:7-alpine"))
                    .withExposedPorts(6379);
            container.start();
            return new TestRedis("redis container", null, null, container.getMappedPort(6379), container);
        }
        throw new IllegalStateException("No Redis for the tests" + (wanted.isEmpty() ? "" : " from '" + wanted + "'")
                + ": no redis-server on PATH, no bundled binary for this platform and no Docker engine");
    }

    private static TestRedis startProcess(String source, Path executable) {
        Path directory = null;
        try {
            directory = Files.createTempDirectory("granary-redis-");
            TestRedis redis = new TestRedis(source, executable, directory, freePort(), null);
            redis.launch();
            return redis;
        } catch (IOException e) {
            TestProcesses.deleteTree(directory);
            throw new UncheckedIOException("could not start " + source, e);
        }
    }

    /** {@code redis://127.0.0.1:<port>}, for {@code granary.redis.url}. */
    public String url() {
        return "redis://" + host() + ":" + port;
    }

    public String host() {
        return container != null ? container.getHost() : "127.0.0.1";
    }

    public int port() {
        return port;
    }

    /** Where this Redis came from, for test logs. */
    public String source() {
        return source;
    }

    /** Takes Redis away: its connections are closed and new ones refused until {@link #restart()}. */
    public synchronized void stop() {
        if (container != null) {
            // A stopped container may come back on another mapped port; a paused one keeps it.
            freeze();
            return;
        }
        if (process != null) {
            process.destroy();
            await(process);
            process = null;
        }
    }

    /** Brings Redis back on the same port; a restarted process is empty, as after a crash without persistence. */
    public synchronized void restart() {
        if (container != null) {
            thaw();
            return;
        }
        if (process == null) {
            try {
                launch();
            } catch (IOException e) {
                throw new UncheckedIOException("could not restart " + source, e);
            }
        }
    }

    /** Makes Redis hang: connections stay open, nothing is answered until {@link #thaw()}. */
    public synchronized void freeze() {
        if (container != null) {
            container.getDockerClient().pauseContainerCmd(container.getContainerId()).exec();
        } else {
            signal("STOP");
        }
    }

    /** Lets a frozen Redis go on; it then answers what it was sent meanwhile. */
    public synchronized void thaw() {
        if (container != null) {
            container.getDockerClient().unpauseContainerCmd(container.getContainerId()).exec();
        } else {
            signal("CONT");
        }
    }

    private void signal(String name) {
        if (process == null) {
            throw new IllegalStateException("Redis is not running");
        }
        try {
            Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(process.pid())).inheritIO().start();
            if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
                throw new IllegalStateException("kill -" + name + " failed");
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Override
    public synchronized void close() {
        if (container != null) {
            container.stop();
            return;
        }
        stop();
        TestProcesses.deleteTree(directory);
    }

    private void launch() throws IOException {
        Path log = directory.resolve("redis.log");
        // No persistence: a restart starts empty, and nothing is written outside the temp directory.
        process = new ProcessBuilder(List.of(executable.toString(),
                "--port", Integer.toString(port), "--bind", "127.0.0.1",
                "--save", "", "--appendonly", "no", "--dir", directory.toString()))
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .start();
        long deadline = System.nanoTime() + STARTUP_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException(source + " exited with status " + process.exitValue() + ":\n" + read(log));
            }
            if (answersPing()) {
                return;
            }
            TestProcesses.pause(50, "Redis");
        }
        process.destroyForcibly();
        throw new IllegalStateException(source + " did not answer on port " + port + ":\n" + read(log));
    }

    private boolean answersPing() {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 500);
            socket.setSoTimeout(1000);
            OutputStream out = socket.getOutputStream();
            out.write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            byte[] answer = in.readNBytes(7);
            return "+PONG\r\n".equals(new String(answer, StandardCharsets.US_ASCII));
        } catch (IOException notYet) {
            return false;
        }
    }

    private static Path findOnPath(String name) {
        String path = System.getenv("PATH");
        if (path == null) {
            return null;
        }
        for (String dir : path.split(File.pathSeparator)) {
            if (!dir.isEmpty()) {
                Path candidate = Paths.get(dir, name);
                if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                    return candidate;
                }
            }
        }
        return null;
    }

    /** The embedded-redis binary for this OS and CPU, extracted to a temporary file; null if there is none. */
    private static Path bundledBinary() {
        try {
            File file = ExecutableProvider.newJarResourceProvider().get();
            return file != null && file.canExecute() ? file.toPath() : null;
        } catch (IOException | RuntimeException unsupported) {
            return null;
        }
    }

    private static void await(Process process) {
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static int freePort() throws IOException {
        // Small race with other processes between closing and Redis binding; fine for tests.
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    private static String read(Path log) {
        try {
            return Files.readString(log, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(no output: " + e + ")";
        }
    }
}
