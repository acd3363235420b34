package io.granary.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;

/**
 * Two Granary nodes sharing one MongoDB-wire server and one S3 server: a tus upload begun on
 * one node (a whole part and a tail) is continued on the other and completed there, and the
 * object read back from the first is the bytes sent. No node keeps anything of the upload in
 * its memory or on its disk.
 */
class TusMultiNodeTest {

    private static final MediaType OFFSET_STREAM = MediaType.parseMediaType("application/offset+octet-stream");
    private static final int PART = 5 << 20;

    private static GranaryNode a;
    private static GranaryNode b;

    @BeforeAll
    static void startTwoNodes() {
        List<String> common = GranaryNode.onSharedS3("granary-tus-nodes-test", "--granary.tus.part-size=5MB");
        a = GranaryNode.start(common);
        List<String> shared = new java.util.ArrayList<>(common);
        shared.add(a.sharedMetadataArgument());
        b = GranaryNode.start(shared);
    }

    @AfterAll
    static void stop() {
        if (b != null) {
            b.close();
        }
        if (a != null) {
            a.close();
        }
    }

    @Test
    void anUploadBegunOnOneNodeIsContinuedAndCompletedOnTheOther() throws Exception {
        String tenant = a.createTenant("tus-nodes");
        String key = (String) a.http.post().uri("/v1/tenants/{t}/keys", tenant)
                .header("Authorization", "Bearer " + ApiTestSupport.ROOT_KEY).contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Map.of("name", "k", "permissions", List.of("admin"))).exchange().expectStatus().isCreated()
                .expectBody(Map.class).returnResult().getResponseBody().get("secret");
        a.http.post().uri("/v1/buckets").header("X-Api-Key", key).contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Map.of("name", "shared")).exchange().expectStatus().isCreated().expectBody();

        byte[] data = new byte[2 * PART + 777];
        new Random().nextBytes(data);
        URI location = a.http.post().uri("/v1/tus/shared").header("X-Api-Key", key).header("Tus-Resumable", "1.0.0")
                .header("Upload-Length", Integer.toString(data.length))
                .header("Upload-Metadata", "key " + Base64.getEncoder().encodeToString("across/nodes.bin"
                        .getBytes(StandardCharsets.UTF_8)))
                .exchange().expectStatus().isCreated().expectBody().returnResult().getResponseHeaders().getLocation();
        String path = location.getRawPath();

        int first = PART + PART / 2;
        patch(a.http, path, key, 0, Arrays.copyOfRange(data, 0, first));
        // Node b sees the offset node a stored, and continues from there (reading a's tail from the store).
        HttpHeaders head = b.http.head().uri(path).header("X-Api-Key", key).header("Tus-Resumable", "1.0.0").exchange()
                .expectStatus().isOk().expectBody().isEmpty().getResponseHeaders();
        assertThat(head.getFirst("Upload-Offset")).isEqualTo(Integer.toString(first));
        patch(b.http, path, key, first, Arrays.copyOfRange(data, first, data.length));

        WebTestClient reader = WebTestClient.bindToServer().baseUrl(a.baseUrl)
                .codecs(codecs -> codecs.defaultCodecs().maxInMemorySize(64 << 20)).build();
        byte[] read = reader.get().uri("/v1/buckets/shared/objects/across/nodes.bin").header("X-Api-Key", key).exchange()
                .expectStatus().isOk().expectBody(byte[].class).returnResult().getResponseBody();
        assertThat(sha256(read)).isEqualTo(sha256(data));
        a.http.head().uri(path).header("X-Api-Key", key).header("Tus-Resumable", "1.0.0").exchange()
                .expectStatus().isOk().expectHeader().valueEquals("Upload-Offset", Integer.toString(data.length))
                .expectBody().isEmpty();
    }

    private static void patch(WebTestClient http, String path, String key, long offset, byte[] body) {
        http.patch().uri(path).header("X-Api-Key", key).header("Tus-Resumable", "1.0.0")
                .header("Upload-Offset", Long.toString(offset)).contentType(OFFSET_STREAM).bodyValue(body).exchange()
                .expectStatus().isNoContent().expectHeader().valueEquals("Upload-Offset", Long.toString(offset + body.length))
                .expectBody().isEmpty();
    }

    private static String sha256(byte[] data) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
    }
}
