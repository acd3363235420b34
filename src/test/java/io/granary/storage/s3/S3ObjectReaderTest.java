package io.granary.storage.s3;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.granary.config.GranaryProperties;
import io.granary.error.ErrorCode;
import io.granary.error.GranaryException;
import io.granary.storage.ByteRange;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.util.unit.DataSize;
import software.amazon.awssdk.services.s3.presigner.S3Presigner;

/**
 * What a real S3 server cannot be made to do on cue: answer 503, freeze in the middle of a body.
 * A scripted HTTP server on loopback plays the store; {@code S3BlobStoreTest} runs the reader
 * against S3Proxy for everything else.
 */
class S3ObjectReaderTest {

    private static final Duration READ_TIMEOUT = Duration.ofSeconds(1);

    private final ScriptedStore store = new ScriptedStore();
    private final S3Presigner presigner = S3ClientFactory.presigner(settings(store.endpoint()));
    private final S3ObjectReader reader = S3ClientFactory.reader(settings(store.endpoint()), presigner);

    @AfterEach
    void close() throws IOException {
        reader.close();
        presigner.close();
        store.close();
    }

    @Test
    void aStoreThatFreezesMidBodyFailsTheStreamAfterTheReadTimeout() {
        store.answers.add("HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n" + "x".repeat(1000)); // then silence
        AtomicLong received = new AtomicLong();
        long start = System.nanoTime();

        assertThatThrownBy(() -> reader.open("blobs/frozen", null).block()
                .doOnNext(buffer -> {
                    received.addAndGet(buffer.readableByteCount());
                    DataBufferUtils.release(buffer);
                })
                .blockLast(Duration.ofSeconds(20)))
                .isInstanceOf(GranaryException.class)
                .satisfies(error -> assertThat(((GranaryException) error).code()).isEqualTo(ErrorCode.STORE_UNAVAILABLE));
        assertThat(received).hasValue(1000);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isBetween(READ_TIMEOUT, READ_TIMEOUT.multipliedBy(4));
    }

    @Test
    void aStoreThatClosesMidBodyFailsTheStreamAtOnce() {
        store.answers.add("HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n" + "x".repeat(1000) + ScriptedStore.CLOSE);
        long start = System.nanoTime();

        assertThatThrownBy(() -> reader.open("blobs/cut", null).block()
                .doOnNext(DataBufferUtils::release)
                .blockLast(Duration.ofSeconds(20)))
                .isInstanceOf(GranaryException.class)
                .satisfies(error -> assertThat(((GranaryException) error).code()).isEqualTo(ErrorCode.STORE_UNAVAILABLE));
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(READ_TIMEOUT);
    }

    @Test
    void aBusyStoreIsAskedAgainAndItsAnswerUsed() {
        store.answers.add(error(503, "SlowDown"));
        store.answers.add("HTTP/1.1 206 Partial Content\r\nContent-Length: 5\r\n\r\nhello");

        byte[] body = DataBufferUtils.join(reader.open("blobs/busy", new ByteRange(10, 14)).block())
                .map(buffer -> {
                    byte[] bytes = new byte[buffer.readableByteCount()];
                    buffer.read(bytes);
                    DataBufferUtils.release(buffer);
                    return bytes;
                }).block(Duration.ofSeconds(20));

        assertThat(new String(body, StandardCharsets.US_ASCII)).isEqualTo("hello");
        assertThat(store.requests).hasSize(2);
        assertThat(store.requests.get(1))
                .startsWith("GET /bucket/blobs/busy?")
                .contains("X-Amz-Signature=")
                .containsIgnoringCase("range: bytes=10-14");
    }

    @Test
    void aStoreBusyThreeTimesIsUnavailable() {
        for (int i = 0; i < 3; i++) {
            store.answers.add(error(503, "SlowDown"));
        }
        assertFailsWith("blobs/busy", ErrorCode.STORE_UNAVAILABLE);
        assertThat(store.requests).hasSize(3);
    }

    @Test
    void errorAnswersTranslateLikeTheSdksOwn() {
        store.answers.add(error(404, "NoSuchKey"));
        assertFailsWith("blobs/missing", ErrorCode.BLOB_NOT_FOUND);
        store.answers.add(error(404, "NoSuchBucket"));
        assertFailsWith("blobs/any", ErrorCode.STORE_ERROR);
        store.answers.add(error(403, "SignatureDoesNotMatch"));
        assertFailsWith("blobs/any", ErrorCode.STORE_ERROR);
        assertThat(store.requests).hasSize(3);
    }

    private void assertFailsWith(String key, ErrorCode code) {
        assertThatThrownBy(() -> reader.open(key, null).block(Duration.ofSeconds(20)))
                .isInstanceOf(GranaryException.class)
                .satisfies(error -> assertThat(((GranaryException) error).code()).isEqualTo(code));
    }

    private static String error(int status, String code) {
        String body = "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>" + code + "</Code><Message>m</Message></Error>";
        return "HTTP/1.1 " + status + " X\r\nContent-Type: application/xml\r\nContent-Length: " + body.length()
                + "\r\n\r\n" + body;
    }

    private static GranaryProperties.S3 settings(URI endpoint) {
        return new GranaryProperties.S3(endpoint, "us-east-1", "bucket", "access", "secret", true, 8,
                Duration.ofSeconds(5), READ_TIMEOUT, Duration.ofSeconds(10), GranaryProperties.ChecksumMode.WHEN_SUPPORTED,
                DataSize.ofMegabytes(5));
    }

    /**
     * Answers each request on a connection of its own with the next scripted answer, verbatim;
     * an answer ending in {@link #CLOSE} closes the connection after it, any other leaves it open
     * and silent. Records each request's head.
     */
    private static final class ScriptedStore implements AutoCloseable {

        static final String CLOSE = "\u0000close";

        final Queue<String> answers = new ConcurrentLinkedQueue<>();
        final List<String> requests = new CopyOnWriteArrayList<>();
        private final List<Socket> open = new CopyOnWriteArrayList<>();
        private final ServerSocket server;

        ScriptedStore() {
            try {
                server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
            Thread acceptor = new Thread(this::serve, "scripted-store");
            acceptor.setDaemon(true);
            acceptor.start();
        }

        URI endpoint() {
            return URI.create("http://127.0.0.1:" + server.getLocalPort());
        }

        private void serve() {
            while (!server.isClosed()) {
                try (Socket socket = server.accept()) {
                    open.add(socket);
                    BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII));
                    StringBuilder head = new StringBuilder();
                    for (String line = in.readLine(); line != null && !line.isEmpty(); line = in.readLine()) {
                        head.append(line).append("\r\n");
                    }
                    requests.add(head.toString());
                    String answer = answers.poll();
                    OutputStream out = socket.getOutputStream();
                    boolean close = answer != null && answer.endsWith(CLOSE);
                    String bytes = answer == null ? "HTTP/1.1 500 X\r\nContent-Length: 0\r\n\r\n"
                            : close ? answer.substring(0, answer.length() - CLOSE.length()) : answer;
                    out.write(bytes.getBytes(StandardCharsets.US_ASCII));
                    out.flush();
                    if (!close && bytes.startsWith("HTTP/1.1 200") && bytes.contains("100000")) {
                        Thread.sleep(READ_TIMEOUT.multipliedBy(15).toMillis()); // frozen, the connection open
                    }
                } catch (IOException | InterruptedException e) {
                    // the client gave up on this connection, or the test ended
                }
            }
        }

        @Override
        public void close() throws IOException {
            server.close();
            for (Socket socket : open) {
                socket.close();
            }
        }
    }
}
