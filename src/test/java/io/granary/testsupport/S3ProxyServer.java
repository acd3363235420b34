package io.granary.testsupport;

import io.granary.config.GranaryProperties;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.util.unit.DataSize;

/**
 * A real S3 server for tests: S3Proxy over a temporary directory, run as a separate process
 * ({@code java -jar}) so that its bundled libraries and logging never meet the test classpath.
 * The jar's path comes from the system property {@value #JAR_PROPERTY}, which the build sets.
 *
 * <p>{@link #shared()} starts one server per JVM on first use; a shutdown hook stops it and
 * deletes its files. Tests keep apart by using their own buckets.
 */
public final class S3ProxyServer {

    /** System property naming the S3Proxy jar-with-dependencies. */
    public static final String JAR_PROPERTY = "granary.test.s3proxy-jar";

    private static final Duration STARTUP_TIMEOUT = Duration.ofSeconds(60);
    private static final String REGION = "us-east-1";

    private static S3ProxyServer shared;

    private Process process;
    private final Path directory;
    private final Path properties;
    private final Path log;
    private final int port;
    private final String accessKey;
    private final String secretKey;

    private S3ProxyServer(Process process, Path directory, Path log, int port, String accessKey, String secretKey) {
        this.process = process;
        this.directory = directory;
        this.properties = directory.resolve("s3proxy.properties");
        this.log = log;
        this.port = port;
        this.accessKey = accessKey;
        this.secretKey = secretKey;
    }

    /** The server of this JVM, started on first call. */
    public static synchronized S3ProxyServer shared() {
        if (shared == null) {
            S3ProxyServer server = start();
            Runtime.getRuntime().addShutdownHook(new Thread(server::stop, "s3proxy-stop"));
            shared = server;
        }
        return shared;
    }

    /** Starts a new server; the caller stops it. */
    public static S3ProxyServer start() {
        String jar = System.getProperty(JAR_PROPERTY);
        if (jar == null || !Files.isRegularFile(Paths.get(jar))) {
            throw new IllegalStateException("S3Proxy jar not found (system property " + JAR_PROPERTY + " = " + jar
                    + "); run the tests through Maven, which copies it to target/s3proxy/");
        }
        Path directory = null;
        try {
            directory = Files.createTempDirectory("granary-s3proxy-");
            Path data = Files.createDirectory(directory.resolve("data"));
            Path log = directory.resolve("s3proxy.log");
            int port = freePort();
            String accessKey = "AK" + random(18);
            String secretKey = random(40);
            Path properties = directory.resolve("s3proxy.properties");
            Files.writeString(properties, String.join("\n",
                    "s3proxy.endpoint=http://127.0.0.1:" + port,
                    "s3proxy.authorization=aws-v2-or-v4",
                    "s3proxy.identity=" + accessKey,
                    "s3proxy.credential=" + secretKey,
                    "jclouds.provider=filesystem-nio2",
                    "jclouds.filesystem.basedir=" + data.toAbsolutePath(),
                    ""), StandardCharsets.UTF_8);
            Process process = launch(properties, log);
            S3ProxyServer server = new S3ProxyServer(process, directory, log, port, accessKey, secretKey);
            server.awaitReady();
            return server;
        } catch (IOException e) {
            TestProcesses.deleteTree(directory);
            throw new UncheckedIOException("could not start S3Proxy", e);
        }
    }

    private static Process launch(Path properties, Path log) throws IOException {
        Path java = Paths.get(System.getProperty("java.home"), "bin", "java");
        return new ProcessBuilder(List.of(java.toString(), "-Xmx512m", "-jar", System.getProperty(JAR_PROPERTY),
                "--properties", properties.toString()))
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .start();
    }

    /** Kills the process at once ({@code SIGKILL}), keeping its files: a store that vanished mid-request. */
    public void kill() {
        process.destroyForcibly();
        try {
            process.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Starts the server again after {@link #kill()}: same port, credentials and data. */
    public void restart() {
        if (process.isAlive()) {
            throw new IllegalStateException("S3Proxy is still running");
        }
        try {
            process = launch(properties, log);
        } catch (IOException e) {
            throw new UncheckedIOException("could not restart S3Proxy", e);
        }
        awaitReady();
    }

    public URI endpoint() {
        return URI.create("http://127.0.0.1:" + port);
    }

    public String accessKey() {
        return accessKey;
    }

    public String secretKey() {
        return secretKey;
    }

    public String region() {
        return REGION;
    }

    /** S3 settings pointing at this server, with the SDK's default checksums and 5 MiB parts. */
    /** Points a Granary test context's store at this server, in {@code bucket}. */
    public void registerAsStore(DynamicPropertyRegistry registry, String bucket) {
        registry.add("granary.store.type", () -> "s3");
        registry.add("granary.store.s3.endpoint", () -> endpoint().toString());
        registry.add("granary.store.s3.region", this::region);
        registry.add("granary.store.s3.bucket", () -> bucket);
        registry.add("granary.store.s3.access-key", this::accessKey);
        registry.add("granary.store.s3.secret-key", this::secretKey);
    }

    public GranaryProperties.S3 settings(String bucket) {
        return settings(bucket, GranaryProperties.ChecksumMode.WHEN_SUPPORTED);
    }

    /** S3 settings pointing at this server, with the given checksum mode and 5 MiB parts. */
    public GranaryProperties.S3 settings(String bucket, GranaryProperties.ChecksumMode checksums) {
        return new GranaryProperties.S3(endpoint(), REGION, bucket, accessKey, secretKey, true, 16,
                Duration.ofSeconds(10), Duration.ofSeconds(30), Duration.ofSeconds(60), checksums,
                DataSize.ofMegabytes(5));
    }

    /** Stops the process and deletes its files. */
    public void stop() {
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        TestProcesses.deleteTree(directory);
    }

    private void awaitReady() {
        long deadline = System.nanoTime() + STARTUP_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                fail("S3Proxy exited with status " + process.exitValue());
            }
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress("127.0.0.1", port), 500);
                return;
            } catch (IOException notYet) {
                TestProcesses.pause(200, "S3Proxy");
            }
        }
        fail("S3Proxy did not listen on port " + port + " within " + STARTUP_TIMEOUT.toSeconds() + "s");
    }

    private void fail(String reason) {
        String output;
        try {
            output = Files.readString(log, StandardCharsets.UTF_8);
        } catch (IOException e) {
            output = "(no output: " + e + ")";
        }
        stop();
        throw new IllegalStateException(reason + "; its output:\n" + output);
    }

    private static int freePort() throws IOException {
        // Small race with other processes between closing and S3Proxy binding; fine for tests.
        try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    private static String random(int length) {
        StringBuilder out = new StringBuilder();
        while (out.length() < length) {
            out.append(UUID.randomUUID().toString().replace("-", ""));
        }
        return out.substring(0, length);
    }
}
