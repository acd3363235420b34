package io.granary.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.http.MediaType;

/**
 * Chunked request bodies whose framing breaks, sent on raw sockets to every path that takes a
 * body: nothing of them is committed (the previous version intact, no part, no received intent,
 * no tus bytes past the break), usage is unchanged, and a framing error that leaves the
 * connection able to answer gets {@code 400 malformed_body}. A valid chunked body is still
 * accepted on each path.
 */
class BrokenFramingTest extends ApiTestSupport {

    private static final byte[] WHOLE = "hello world".getBytes(StandardCharsets.UTF_8);
    private static final byte[] PRECIOUS = "precious bytes".getBytes(StandardCharsets.UTF_8);
    private static final String HELLO = "5\r\nhello\r\n";
    /** tus metadata naming the object {@code resumed}. */
    private static final String TUS_METADATA = "key " + java.util.Base64.getEncoder().encodeToString("resumed".getBytes(StandardCharsets.UTF_8));

    /** How a chunked body goes wrong after its first chunk ({@code hello}). */
    enum Break {
        INVALID_SIZE(HELLO + "zz\r\n", End.WAIT),
        OVERFLOWING_SIZE(HELLO + "ffffffffffffffff\r\n", End.WAIT),
        EXTENSION_ABUSE(HELLO + "5;" + "x=y;".repeat(3000) + "\r\nworld\r\n0\r\n\r\n", End.WAIT),
        TRAILER_GARBAGE(HELLO + "0\r\nX-Trailer: ok\r\n\u0001bad trailer\r\n\r\n", End.WAIT),
        MISSING_LAST_CHUNK(HELLO, End.HALF_CLOSE),
        RESET_MID_CHUNK(HELLO + "a\r\nhalf", End.RESET),
        VALID(HELLO + "6\r\n world\r\n0\r\n\r\n", End.WAIT);

        final String body;
        final End end;

        Break(String body, End end) {
            this.body = body;
            this.end = end;
        }

        boolean malformed() {
            return end == End.WAIT && this != VALID;
        }
    }

    /** What the client does once the body is sent. */
    enum End {
        /** Waits for the answer. */
        WAIT,
        /** Half-closes the connection, then reads whatever comes. */
        HALF_CLOSE,
        /** Resets the connection. */
        RESET
    }

    /** A way of sending a body, set up afresh for each case. */
    enum BodyPath {
        OBJECT_PUT(true), SIGNED_URL_PUT(true), INTENT_PUT(true), PART_PUT(false), TUS_PATCH(false), TUS_CREATE_WITH_UPLOAD(false);

        /**
         * Takes chunked bodies; the others take only bodies with a Content-Length, so their cut-off
         * and valid cases send {@code hello world} with one, the cut-off ones stopping after {@code hello}.
         */
        final boolean chunked;

        BodyPath(boolean chunked) {
            this.chunked = chunked;
        }
    }

    private String admin;
    private String bucket;

    @BeforeEach
    void tenant() {
        admin = newTenantAdmin();
        bucket = unique("framing");
        createBucket(admin, bucket, Map.of());
        http.put().uri("/v1/buckets/{b}/objects/precious", bucket).header("X-Api-Key", admin)
                .contentType(MediaType.TEXT_PLAIN).bodyValue(PRECIOUS).exchange().expectStatus().isOk().expectBody();
    }

    static Stream<Arguments> cases() {
        List<Arguments> all = new ArrayList<>();
        for (BodyPath path : BodyPath.values()) {
            for (Break broken : Break.values()) {
                all.add(Arguments.of(path, broken));
            }
        }
        return all.stream();
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("cases")
    void aBrokenBodyChangesNothing(BodyPath path, Break broken) throws Exception {
        Map<String, Object> usageBefore = usage();
        Target target = prepare(path);

        RawHttp.Response response = send(path, target, broken);

        if (broken == Break.VALID) {
            assertThat(response.status()).as(response.bodyText()).isBetween(200, 299);
        } else if (broken.malformed()) {
            switch (path) {
                // Parts and tus PATCHes must declare their length: refused before their body is read.
                case PART_PUT, TUS_PATCH -> assertThat(response.status()).isEqualTo(411);
                // Only a body with a Content-Length creates-with-upload: this one is left unread.
                case TUS_CREATE_WITH_UPLOAD -> assertThat(response.header("Upload-Offset")).isEqualTo("0");
                default -> {
                    assertThat(response.status()).isEqualTo(400);
                    assertThat(response.bodyText()).contains("\"code\":\"malformed_body\"");
                    assertThat(response.header("Connection")).isEqualTo("close");
                }
            }
        }
        switch (path) {
            case OBJECT_PUT, SIGNED_URL_PUT, INTENT_PUT -> {
                if (path == BodyPath.INTENT_PUT && broken == Break.VALID) {
                    http.post().uri("/v1/buckets/{b}/uploads/{u}/complete", bucket, target.id()).header("X-Api-Key", admin)
                            .exchange().expectStatus().isOk().expectBody();
                }
                assertThat(read("precious")).isEqualTo(broken == Break.VALID ? WHOLE : PRECIOUS);
                if (path == BodyPath.INTENT_PUT && broken != Break.VALID) {
                    assertThat(describe("/v1/buckets/{b}/uploads/{u}", target.id())).containsEntry("state", "pending");
                }
            }
            case PART_PUT -> assertThat((List<?>) describe("/v1/buckets/{b}/multipart/{u}", target.id()).get("parts"))
                    .hasSize(broken == Break.VALID ? 1 : 0);
            case TUS_PATCH, TUS_CREATE_WITH_UPLOAD -> {
                String where = path == BodyPath.TUS_PATCH ? target.path() : prepared;
                String offset = where == null ? "0" : http.head().uri(where).header("X-Api-Key", admin)
                        .header("Tus-Resumable", "1.0.0").exchange().expectStatus().isOk().returnResult(Void.class)
                        .getResponseHeaders().getFirst("Upload-Offset");
                // tus keeps what arrived before a connection dropped (the client resumes from
                // there), never anything of a body refused or left unread.
                switch (broken.end) {
                    case WAIT -> assertThat(offset).isEqualTo(broken == Break.VALID ? "11" : "0");
                    // What of {@code hello} was kept depends on where the connection's end overtook it.
                    case HALF_CLOSE, RESET -> assertThat(offset).isIn("0", "5");
                }
            }
        }
        if (broken != Break.VALID || !path.chunked) {
            assertThat(usage()).as("usage").isEqualTo(usageBefore);
        }
    }

    /** Where a case sends its body: method, path and query, and headers. */
    private record Target(String method, String path, String id, List<String> headers) {
    }

    private Target prepare(BodyPath path) {
        String key = "X-Api-Key: " + admin;
        return switch (path) {
            case OBJECT_PUT -> new Target("PUT", "/v1/buckets/" + bucket + "/objects/precious", null,
                    List.of(key, "Content-Type: text/plain"));
            case SIGNED_URL_PUT -> {
                URI url = URI.create((String) post("/v1/buckets/{b}/signed-urls",
                        Map.of("key", "precious", "method", "PUT")).get("url"));
                yield new Target("PUT", url.getRawPath() + "?" + url.getRawQuery(), null, List.of("Content-Type: text/plain"));
            }
            case PART_PUT -> {
                String id = (String) post("/v1/buckets/{b}/multipart", Map.of("key", "parted")).get("uploadId");
                yield new Target("PUT", "/v1/buckets/" + bucket + "/multipart/" + id + "/parts/1", id, List.of(key));
            }
            case INTENT_PUT -> {
                Map<String, Object> intent = post("/v1/buckets/{b}/uploads",
                        Map.of("key", "precious", "size", 11, "contentType", "text/plain"));
                URI url = URI.create((String) intent.get("url"));
                yield new Target("PUT", url.getRawPath() + "?" + url.getRawQuery(), (String) intent.get("uploadId"),
                        List.of("Content-Type: text/plain"));
            }
            case TUS_PATCH -> {
                String location = http.post().uri("/v1/tus/{b}", bucket).header("X-Api-Key", admin)
                        .header("Tus-Resumable", "1.0.0").header("Upload-Length", "20").header("Upload-Metadata", TUS_METADATA).exchange()
                        .expectStatus().isCreated().returnResult(Void.class).getResponseHeaders().getLocation().getPath();
                yield new Target("PATCH", location, null, List.of(key, "Tus-Resumable: 1.0.0", "Upload-Offset: 0",
                        "Content-Type: application/offset+octet-stream"));
            }
            case TUS_CREATE_WITH_UPLOAD -> new Target("POST", "/v1/tus/" + bucket, null, List.of(key, "Tus-Resumable: 1.0.0",
                    "Upload-Length: 20", "Upload-Metadata: " + TUS_METADATA, "Content-Type: application/offset+octet-stream"));
        };
    }

    /** Sends {@code broken} chunked to the target; the answer, or {@code null} when the connection gave none. */
    private RawHttp.Response send(BodyPath path, Target target, Break broken) throws IOException, InterruptedException {
        boolean chunked = path.chunked || broken.malformed();
        try (Socket socket = RawHttp.connect(port, 0, 30_000)) {
            OutputStream out = socket.getOutputStream();
            List<String> headers = new ArrayList<>(target.headers());
            headers.add(chunked ? "Transfer-Encoding: chunked" : "Content-Length: " + WHOLE.length);
            headers.add("Connection: close");
            RawHttp.head(out, target.method(), target.path(), headers.toArray(String[]::new));
            if (chunked) {
                out.write(broken.body.getBytes(StandardCharsets.ISO_8859_1));
            } else {
                out.write(WHOLE, 0, broken == Break.VALID ? WHOLE.length : 5);
            }
            out.flush();
            if (broken.end == End.RESET) {
                Thread.sleep(200); // let the server read the first chunk
                socket.setSoLinger(true, 0);
                return null;
            }
            if (broken.end == End.HALF_CLOSE) {
                socket.shutdownOutput();
            }
            RawHttp.Response response = RawHttp.Response.read(socket.getInputStream(), true);
            if (response.header("Location") != null) {
                prepared = URI.create(response.header("Location")).getPath(); // a tus creation's upload
            }
            return response;
        } catch (IOException e) {
            if (broken.end == End.WAIT) {
                throw e;
            }
            return null; // the connection ended without an answer: allowed for these
        }
    }

    private String prepared;

    private Map<String, Object> usage() {
        return http.get().uri("/v1/usage").header("X-Api-Key", admin).exchange().expectStatus().isOk()
                .expectBody(new ParameterizedTypeReference<Map<String, Object>>() { }).returnResult().getResponseBody();
    }

    private byte[] read(String key) {
        return http.get().uri("/v1/buckets/{b}/objects/{k}", bucket, key).header("X-Api-Key", admin).exchange()
                .expectStatus().isOk().expectBody(byte[].class).returnResult().getResponseBody();
    }

    private Map<String, Object> describe(String template, String id) {
        return http.get().uri(template, bucket, id).header("X-Api-Key", admin).exchange().expectStatus().isOk()
                .expectBody(new ParameterizedTypeReference<Map<String, Object>>() { }).returnResult().getResponseBody();
    }

    private Map<String, Object> post(String template, Map<String, Object> body) {
        return http.post().uri(template, bucket).header("X-Api-Key", admin).contentType(MediaType.APPLICATION_JSON)
                .bodyValue(body).exchange().expectStatus().is2xxSuccessful()
                .expectBody(new ParameterizedTypeReference<Map<String, Object>>() { }).returnResult().getResponseBody();
    }
}
