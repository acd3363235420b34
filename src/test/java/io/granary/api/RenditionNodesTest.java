package io.granary.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.MeterRegistry;
import java.awt.Color;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.EntityExchangeResult;

/**
 * A rendition is made once for every node and every restart: node b serves what node a made,
 * byte for byte with the same ETag, without encoding anything, and so does a after a restart
 * (S3 store and metadata shared, as in a cluster).
 */
class RenditionNodesTest {

    private static final String PHOTO = "/v1/buckets/pictures/objects/photo.jpg?width=200&height=100&fit=cover&format=webp";

    @Test
    void anotherNodeAndARestartServeTheKeptRendition() throws Exception {
        List<String> common = GranaryNode.onSharedS3("granary-rendition-nodes-test");
        Path dataDir = ApiTestSupport.tempDir();
        String key;
        EntityExchangeResult<byte[]> made;
        try (GranaryNode a = GranaryNode.start(dataDir, common)) {
            String tenant = a.createTenant("renditions");
            key = (String) a.http.post().uri("/v1/tenants/{t}/keys", tenant)
                    .header("Authorization", "Bearer " + ApiTestSupport.ROOT_KEY).contentType(MediaType.APPLICATION_JSON)
                    .bodyValue(Map.of("name", "k", "permissions", List.of("admin"))).exchange().expectStatus().isCreated()
                    .expectBody(Map.class).returnResult().getResponseBody().get("secret");
            a.http.post().uri("/v1/buckets").header("X-Api-Key", key).contentType(MediaType.APPLICATION_JSON)
                    .bodyValue(Map.of("name", "pictures")).exchange().expectStatus().isCreated().expectBody();
            a.http.put().uri("/v1/buckets/pictures/objects/photo.jpg").header("X-Api-Key", key).contentType(MediaType.IMAGE_JPEG)
                    .bodyValue(jpeg()).exchange().expectStatus().isOk().expectBody();
            made = get(a, key);
            assertThat(made(a)).isEqualTo(1);

            List<String> shared = new java.util.ArrayList<>(common);
            shared.add(a.sharedMetadataArgument());
            try (GranaryNode b = GranaryNode.start(shared)) {
                EntityExchangeResult<byte[]> served = get(b, key);
                assertThat(served.getResponseBody()).isEqualTo(made.getResponseBody());
                assertThat(served.getResponseHeaders().getETag()).isEqualTo(made.getResponseHeaders().getETag());
                assertThat(made(b)).as("renditions node b encoded").isZero();

                // A new rendition asked of both nodes at once is made by one of them, once.
                String fresh = "/v1/buckets/pictures/objects/photo.jpg?width=333&format=png";
                String finalKey = key;
                List<byte[]> bodies = java.util.stream.IntStream.range(0, 8).parallel()
                        .mapToObj(i -> (i % 2 == 0 ? a : b).http.get().uri(fresh).header("X-Api-Key", finalKey).exchange()
                                .expectStatus().isOk().expectBody(byte[].class).returnResult().getResponseBody())
                        .toList();
                assertThat(bodies).allSatisfy(body -> assertThat(body).isEqualTo(bodies.get(0)));
                assertThat(made(a) + made(b)).as("renditions encoded by both nodes").isEqualTo(2);
            }
        }
        try (GranaryNode restarted = GranaryNode.start(dataDir, common)) {
            EntityExchangeResult<byte[]> served = get(restarted, key);
            assertThat(served.getResponseBody()).isEqualTo(made.getResponseBody());
            assertThat(made(restarted)).as("renditions encoded after the restart").isZero();
        }
    }

    private static EntityExchangeResult<byte[]> get(GranaryNode node, String key) {
        return node.http.get().uri(PHOTO).header("X-Api-Key", key).exchange().expectStatus().isOk()
                .expectHeader().contentType("image/webp").expectBody(byte[].class).returnResult();
    }

    private static double made(GranaryNode node) {
        return node.bean(MeterRegistry.class).counter("granary.renditions.made").count();
    }

    private static byte[] jpeg() throws Exception {
        BufferedImage image = new BufferedImage(640, 480, BufferedImage.TYPE_INT_RGB);
        java.awt.Graphics2D g = image.createGraphics();
        g.setPaint(new java.awt.GradientPaint(0, 0, Color.RED, 640, 480, Color.GREEN));
        g.fillRect(0, 0, 640, 480);
        g.dispose();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(image, "jpg", out);
        return out.toByteArray();
    }
}
