package io.granary.web;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.granary.api.ApiTestSupport;
import io.granary.s3api.S3Listener;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.http.MediaType;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * The access log says what was sent: for requests with known outcomes (served, refused by
 * Granary before and after routing, refused by the HTTP server itself, cut off mid-download),
 * the line carries the status and body bytes that went out, the caller and the tenant.
 */
class AccessLogLinesTest extends ApiTestSupport {

    @Autowired
    S3Listener s3Listener;

    private final ListAppender<ILoggingEvent> lines = new ListAppender<>();
    private String tenantId;
    private String keyId;
    private String key;
    private String bucket;

    @BeforeEach
    void tenantKeyBucketAndCapture() {
        tenantId = createTenant(unique("alines"));
        Map<String, Object> issued = http.post().uri("/v1/tenants/{t}/keys", tenantId).header("Authorization", "Bearer " + ROOT_KEY)
                .contentType(MediaType.APPLICATION_JSON).bodyValue(Map.of("name", "lines", "permissions", List.of("admin")))
                .exchange().expectStatus().isCreated()
                .expectBody(new ParameterizedTypeReference<Map<String, Object>>() { }).returnResult().getResponseBody();
        keyId = (String) issued.get("id");
        key = (String) issued.get("secret");
        bucket = unique("alines");
        createBucket(key, bucket, Map.of());
        http.put().uri("/v1/buckets/{b}/objects/a.txt", bucket).header("X-Api-Key", key).contentType(MediaType.TEXT_PLAIN)
                .bodyValue("hello").exchange().expectStatus().isOk().expectBody();
        lines.start();
        ((Logger) LoggerFactory.getLogger(AccessLog.LOGGER)).addAppender(lines);
    }

    @AfterEach
    void stopCapture() {
        ((Logger) LoggerFactory.getLogger(AccessLog.LOGGER)).detachAppender(lines);
    }

    @Test
    void servedRequestsCarryStatusBytesCallerAndTenant() {
        http.get().uri("/v1/buckets/{b}/objects/a.txt", bucket).header("X-Api-Key", key)
                .header(RequestIds.HEADER, "lines-hot").exchange().expectStatus().isOk().expectBody();
        http.get().uri("/v1/buckets/{b}/objects/a.txt?redirect=false", bucket).header("X-Api-Key", key)
                .header(RequestIds.HEADER, "lines-full").exchange().expectStatus().isOk().expectBody();
        String path = "/v1/buckets/" + bucket + "/objects/a.txt";
        assertThat(line("lines-hot")).isEqualTo("lines-hot GET " + path + " 200 5 #ms key:" + keyId + " " + tenantId + " complete");
        // The query is left out: a signed URL's token travels in it.
        assertThat(line("lines-full")).isEqualTo("lines-full GET " + path + " 200 5 #ms key:" + keyId + " " + tenantId + " complete");

        Map<String, Object> signed = http.post().uri("/v1/buckets/{b}/signed-urls", bucket).header("X-Api-Key", key)
                .contentType(MediaType.APPLICATION_JSON).bodyValue(Map.of("key", "a.txt")).exchange().expectStatus().isOk()
                .expectBody(new ParameterizedTypeReference<Map<String, Object>>() { }).returnResult().getResponseBody();
        URI url = URI.create((String) signed.get("url"));
        http.get().uri(url).header(RequestIds.HEADER, "lines-signed").exchange().expectStatus().isOk().expectBody();
        assertThat(line("lines-signed")).isEqualTo("lines-signed GET " + url.getRawPath() + " 200 5 #ms signed-url " + tenantId + " complete");
    }

    @Test
    void s3RequestsNameTheirCredentialAndTheirS3RequestId() {
        Map<String, Object> issued = http.post().uri("/v1/tenants/{t}/s3-credentials", tenantId)
                .header("Authorization", "Bearer " + ROOT_KEY).contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Map.of("name", "lines", "permissions", List.of("read"))).exchange().expectStatus().isCreated()
                .expectBody(new ParameterizedTypeReference<Map<String, Object>>() { }).returnResult().getResponseBody();
        try (S3Client s3 = S3Client.builder().endpointOverride(URI.create("http://127.0.0.1:" + s3Listener.port()))
                .region(Region.US_EAST_1).forcePathStyle(true).httpClient(UrlConnectionHttpClient.create())
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(
                        (String) issued.get("accessKeyId"), (String) issued.get("secretAccessKey"))))
                .overrideConfiguration(o -> o.putHeader(RequestIds.HEADER, "lines-s3"))
                .build()) {
            String requestId = s3.headObject(h -> h.bucket(bucket).key("a.txt")).responseMetadata().requestId();
            assertThat(requestId).isEqualTo("lines-s3");
        }
        assertThat(line("lines-s3")).isEqualTo("lines-s3 HEAD /" + bucket + "/a.txt 200 0 #ms key:" + issued.get("id") + " "
                + tenantId + " complete");
    }

    @Test
    void refusalsAreLoggedWithTheStatusSent() {
        String objects = "/v1/buckets/" + bucket + "/objects";
        http.get().uri(objects).header("X-Api-Key", "wrong-key").header(RequestIds.HEADER, "lines-401")
                .exchange().expectStatus().isUnauthorized().expectBody();
        http.get().uri(objects + "/missing").header("X-Api-Key", key).header(RequestIds.HEADER, "lines-404")
                .exchange().expectStatus().isNotFound().expectBody();
        http.delete().uri("/v1/buckets/{b}/copy", bucket).header("X-Api-Key", key).header(RequestIds.HEADER, "lines-405")
                .exchange().expectStatus().isEqualTo(405).expectBody();
        http.post().uri("/v1/buckets").header("X-Api-Key", key).header(RequestIds.HEADER, "lines-409")
                .contentType(MediaType.APPLICATION_JSON).bodyValue(Map.of("name", bucket))
                .exchange().expectStatus().isEqualTo(409).expectBody();
        http.put().uri(objects + "/a.txt").header("X-Api-Key", key).header(RequestIds.HEADER, "lines-412")
                .header("If-Match", "\"nope\"").contentType(MediaType.TEXT_PLAIN).bodyValue("x")
                .exchange().expectStatus().isEqualTo(412).expectBody();
        http.get().uri(objects + "/a.txt").header("X-Api-Key", key).header(RequestIds.HEADER, "lines-416")
                .header("Range", "bytes=100-200").exchange().expectStatus().isEqualTo(416).expectBody();

        String granted = " key:" + keyId + " " + tenantId + " complete";
        assertThat(line("lines-401")).matches("lines-401 GET " + objects + " 401 \\d+ #ms anonymous - complete");
        assertThat(line("lines-404")).matches("lines-404 GET " + objects + "/missing 404 \\d+ #ms" + granted);
        assertThat(line("lines-405")).matches("lines-405 DELETE /v1/buckets/" + bucket + "/copy 405 \\d+ #ms" + granted);
        assertThat(line("lines-409")).matches("lines-409 POST /v1/buckets 409 \\d+ #ms" + granted);
        assertThat(line("lines-412")).matches("lines-412 PUT " + objects + "/a.txt 412 \\d+ #ms" + granted);
        assertThat(line("lines-416")).matches("lines-416 GET " + objects + "/a.txt 416 \\d+ #ms" + granted);
    }

    @Test
    void theServersOwnRefusalsAndCutOffDownloadsAreLoggedAsSent() throws Exception {
        // Headers larger than the server takes: refused by Reactor Netty before any Granary code.
        try (Socket socket = connect()) {
            send(socket, "GET /v1/buckets HTTP/1.1\r\nHost: localhost\r\nX-Request-Id: lines-431\r\nX-Big: "
                    + "a".repeat(40_000) + "\r\n\r\n");
            readSome(socket.getInputStream(), 12);
        }
        // The headers were never read, the request id with them: the line has an id of its own.
        assertThat(lineMatching("[0-9a-f-]{36} GET /v1/buckets 431 0 #ms anonymous - complete")).isNotNull();

        // A download the client stops reading and hangs up on: 200 sent, not every byte.
        int size = 8 << 20;
        http.put().uri("/v1/buckets/{b}/objects/big.bin", bucket).header("X-Api-Key", key)
                .contentType(MediaType.APPLICATION_OCTET_STREAM).bodyValue(new byte[size]).exchange().expectStatus().isOk().expectBody();
        try (Socket socket = connect()) {
            socket.setReceiveBufferSize(16 * 1024);
            send(socket, "GET /v1/buckets/" + bucket + "/objects/big.bin HTTP/1.1\r\nHost: localhost\r\nX-Api-Key: " + key
                    + "\r\nX-Request-Id: lines-cut\r\n\r\n");
            readSome(socket.getInputStream(), 64 * 1024);
            socket.setSoLinger(true, 0);
        }
        String cut = line("lines-cut");
        assertThat(cut).matches("lines-cut GET /v1/buckets/" + bucket + "/objects/big.bin 200 \\d+ #ms key:" + keyId + " "
                + tenantId + " aborted");
        assertThat(Long.parseLong(cut.split(" ")[4])).isLessThan(size);
    }

    /** The line of request id {@code id}, its duration replaced by {@code #ms}; waits for it. */
    private String line(String id) {
        return lineMatching(java.util.regex.Pattern.quote(id) + " .*");
    }

    /** The first line that matches {@code regex} once its duration is replaced by {@code #ms}; waits for it. */
    private String lineMatching(String regex) {
        long deadline = System.currentTimeMillis() + 10_000;
        while (System.currentTimeMillis() < deadline) {
            for (ILoggingEvent event : List.copyOf(lines.list)) {
                String message = event.getFormattedMessage().replaceFirst(" \\d+ms ", " #ms ");
                if (message.matches(regex)) {
                    return message;
                }
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        throw new AssertionError("no access-log line matching " + regex + " in " + lines.list);
    }

    private Socket connect() throws Exception {
        Socket socket = new Socket();
        socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
        socket.setSoTimeout(10_000);
        return socket;
    }

    private static void send(Socket socket, String request) throws Exception {
        OutputStream out = socket.getOutputStream();
        out.write(request.getBytes(StandardCharsets.US_ASCII));
        out.flush();
    }

    private static void readSome(InputStream in, int count) throws Exception {
        byte[] buffer = new byte[8192];
        for (int read = 0; read < count; ) {
            int n = in.read(buffer, 0, Math.min(buffer.length, count - read));
            if (n < 0) {
                return;
            }
            read += n;
        }
    }
}
