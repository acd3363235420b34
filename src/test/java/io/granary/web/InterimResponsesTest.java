package io.granary.web;

import static org.assertj.core.api.Assertions.assertThat;

import io.granary.api.ApiTestSupport;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A request with {@code Connection: close} and {@code Expect: 100-continue} (what the AWS SDK
 * for JavaScript sends for a large part): the {@code 100 Continue} carries no close option, the
 * final answer does, and the connection closes after it. Node.js refuses the final answer when
 * the interim one said close.
 */
class InterimResponsesTest extends ApiTestSupport {

    @Test
    void aContinueNeverSaysCloseTheFinalAnswerDoes() throws Exception {
        String key = createKey(createTenant(unique("interim")), List.of("admin"), null);
        String bucket = unique("b");
        createBucket(key, bucket, Map.of());
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            InputStream in = socket.getInputStream();
            out.write(("PUT /v1/buckets/" + bucket + "/objects/continued HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Api-Key: " + key
                    + "\r\nContent-Length: 5\r\nExpect: 100-continue\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            String interim = head(in);
            assertThat(interim).startsWith("HTTP/1.1 100 Continue").doesNotContainIgnoringCase("connection:");
            out.write("hello".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            String answer = new String(in.readAllBytes(), StandardCharsets.US_ASCII); // to the close
            assertThat(answer).startsWith("HTTP/1.1 200 OK").containsIgnoringCase("connection: close");
        }
    }

    /** An answer's status line and headers, up to the blank line. */
    private static String head(InputStream in) throws Exception {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        while (!head.toString(StandardCharsets.US_ASCII).endsWith("\r\n\r\n")) {
            int next = in.read();
            if (next < 0) {
                break;
            }
            head.write(next);
        }
        return head.toString(StandardCharsets.US_ASCII);
    }
}
