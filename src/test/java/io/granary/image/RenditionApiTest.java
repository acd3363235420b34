package io.granary.image;

import static org.assertj.core.api.Assertions.assertThat;

import io.granary.api.ApiTestSupport;
import io.granary.bucket.BucketRepository;
import io.granary.storage.BlobLocation;
import io.granary.storage.BlobStore;
import io.micrometer.core.instrument.MeterRegistry;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.IntStream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.EntityExchangeResult;

/**
 * Renditions through the REST object routes: made once, kept as a blob with a record, served
 * again without encoding, revalidated with their own entity tag, refused with 422 for what
 * cannot be rendered, and deleted with the version they were made from.
 */
class RenditionApiTest extends ApiTestSupport {

    @Autowired
    MeterRegistry meters;
    @Autowired
    BlobStore blobs;
    @Autowired
    BucketRepository buckets;

    private String tenantId;
    private String admin;
    private String bucket;

    @BeforeEach
    void bucketWithAPhoto() throws IOException {
        tenantId = createTenant(unique("img"));
        admin = createKey(tenantId, List.of("admin"), null);
        bucket = unique("img");
        createBucket(admin, bucket, Map.of());
        put("photo.jpg", jpeg(400, 300), MediaType.IMAGE_JPEG);
    }

    @Test
    void aTransformIsMadeOnceKeptAndRevalidatedWithoutDecoding() throws IOException {
        double before = made();
        EntityExchangeResult<byte[]> first = get("/v1/buckets/" + bucket + "/objects/photo.jpg?width=100&format=png");
        assertThat(first.getResponseHeaders().getContentType()).isEqualTo(MediaType.IMAGE_PNG);
        BufferedImage image = ImageIO.read(new ByteArrayInputStream(first.getResponseBody()));
        assertThat(image.getWidth()).isEqualTo(100);
        assertThat(image.getHeight()).isEqualTo(75);
        String etag = first.getResponseHeaders().getETag();
        assertThat(etag).isNotNull().isNotEqualTo(objectEtag("photo.jpg"));
        assertThat(first.getResponseHeaders().getFirst("X-Content-Type-Options")).isEqualTo("nosniff");

        // Served again from the kept blob: same bytes and tag, nothing encoded.
        EntityExchangeResult<byte[]> again = get("/v1/buckets/" + bucket + "/objects/photo.jpg?format=png&width=100");
        assertThat(again.getResponseBody()).isEqualTo(first.getResponseBody());
        assertThat(again.getResponseHeaders().getETag()).isEqualTo(etag);
        assertThat(made() - before).isEqualTo(1);

        http.get().uri("/v1/buckets/{b}/objects/photo.jpg?width=100&format=png", bucket).header("X-Api-Key", admin)
                .header(HttpHeaders.IF_NONE_MATCH, etag).exchange()
                .expectStatus().isNotModified().expectBody().isEmpty();
        http.head().uri("/v1/buckets/{b}/objects/photo.jpg?width=100&format=png", bucket).header("X-Api-Key", admin)
                .exchange().expectStatus().isOk()
                .expectHeader().contentLength(first.getResponseBody().length)
                .expectHeader().valueEquals(HttpHeaders.ETAG, etag)
                .expectBody().isEmpty();
        // Another parameter set is another rendition, with another tag.
        EntityExchangeResult<byte[]> other = get("/v1/buckets/" + bucket + "/objects/photo.jpg?width=50&format=png");
        assertThat(other.getResponseHeaders().getETag()).isNotEqualTo(etag);
        assertThat(made() - before).isEqualTo(2);
    }

    @Test
    void aVersionedUrlIsImmutableAndTheOriginalIsUnchanged() throws IOException {
        String version = http.head().uri("/v1/buckets/{b}/objects/photo.jpg", bucket).header("X-Api-Key", admin).exchange()
                .expectStatus().isOk().expectBody().returnResult().getResponseHeaders().getFirst("X-Version-Id");
        EntityExchangeResult<byte[]> pinned = get("/v1/buckets/" + bucket + "/objects/photo.jpg?width=64&format=jpeg&versionId="
                + version);
        assertThat(pinned.getResponseHeaders().getCacheControl()).contains("immutable").contains("max-age=31536000");
        assertThat(pinned.getResponseHeaders().getContentType()).isEqualTo(MediaType.IMAGE_JPEG);
        // Without a transform the object reads as before, whatever else the query holds.
        EntityExchangeResult<byte[]> original = get("/v1/buckets/" + bucket + "/objects/photo.jpg?v=2");
        assertThat(ImageIO.read(new ByteArrayInputStream(original.getResponseBody())).getWidth()).isEqualTo(400);
    }

    @Test
    void formatAutoFollowsAcceptAndSaysSo() {
        http.get().uri("/v1/buckets/{b}/objects/photo.jpg?width=20&format=auto", bucket).header("X-Api-Key", admin)
                .header(HttpHeaders.ACCEPT, "image/avif,image/webp,*/*").exchange().expectStatus().isOk()
                .expectHeader().contentType("image/webp").expectHeader().valueEquals(HttpHeaders.VARY, "Accept")
                .expectBody();
        http.get().uri("/v1/buckets/{b}/objects/photo.jpg?width=20&format=auto", bucket).header("X-Api-Key", admin)
                .header(HttpHeaders.ACCEPT, "image/png,image/*").exchange().expectStatus().isOk()
                .expectHeader().contentType(MediaType.IMAGE_JPEG).expectHeader().valueEquals(HttpHeaders.VARY, "Accept")
                .expectBody();
    }

    @Test
    void whatCannotBeRenderedIsA422NamingWhy() throws IOException {
        expectProblem(http.get().uri("/v1/buckets/{b}/objects/photo.jpg?width=0", bucket).header("X-Api-Key", admin).exchange(),
                HttpStatus.UNPROCESSABLE_CONTENT, "invalid_transform");
        expectProblem(http.get().uri("/v1/buckets/{b}/objects/photo.jpg?width=10&widht=5", bucket).header("X-Api-Key", admin)
                .exchange(), HttpStatus.UNPROCESSABLE_CONTENT, "invalid_transform");
        put("notes.txt", "just text".getBytes(), MediaType.TEXT_PLAIN);
        expectProblem(http.get().uri("/v1/buckets/{b}/objects/notes.txt?width=10", bucket).header("X-Api-Key", admin).exchange(),
                HttpStatus.UNPROCESSABLE_CONTENT, "not_an_image");
        put("logo.svg", "<svg xmlns='http://www.w3.org/2000/svg'/>".getBytes(), MediaType.valueOf("image/svg+xml"));
        expectProblem(http.get().uri("/v1/buckets/{b}/objects/logo.svg?width=10", bucket).header("X-Api-Key", admin).exchange(),
                HttpStatus.UNPROCESSABLE_CONTENT, "not_an_image");
        // A truncated image: declared and detected as JPEG, undecodable.
        byte[] whole = jpeg(200, 200);
        put("cut.jpg", java.util.Arrays.copyOf(whole, whole.length / 3), MediaType.IMAGE_JPEG);
        http.get().uri("/v1/buckets/{b}/objects/cut.jpg?width=10", bucket).header("X-Api-Key", admin).exchange()
                .expectStatus().isEqualTo(HttpStatus.UNPROCESSABLE_CONTENT)
                .expectHeader().contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON).expectBody();
        // Nothing was kept for any of them.
        assertThat(renditionBlobs()).isEmpty();
    }

    @Test
    void concurrentFirstRequestsShareOneMaking() throws IOException {
        double before = made();
        Set<String> bodies = ConcurrentHashMap.newKeySet();
        IntStream.range(0, 8).parallel().forEach(i -> bodies.add(java.util.Base64.getEncoder().encodeToString(
                get("/v1/buckets/" + bucket + "/objects/photo.jpg?width=120&height=120&fit=cover&format=webp").getResponseBody())));
        assertThat(bodies).hasSize(1);
        assertThat(made() - before).isEqualTo(1);
        assertThat(renditionBlobs()).hasSize(1);
    }

    @Test
    void replacingOrDeletingTheObjectDeletesItsRenditions() throws Exception {
        get("/v1/buckets/" + bucket + "/objects/photo.jpg?width=30&format=png");
        get("/v1/buckets/" + bucket + "/objects/photo.jpg?width=40&format=png");
        assertThat(renditionBlobs()).hasSize(2);
        put("photo.jpg", jpeg(80, 60), MediaType.IMAGE_JPEG);
        awaitNoRenditions();
        // The new version's renditions are its own.
        BufferedImage fresh = ImageIO.read(new ByteArrayInputStream(
                get("/v1/buckets/" + bucket + "/objects/photo.jpg?width=40&format=png").getResponseBody()));
        assertThat(fresh.getHeight()).isEqualTo(30);
        http.delete().uri("/v1/buckets/{b}/objects/photo.jpg", bucket).header("X-Api-Key", admin).exchange()
                .expectStatus().isNoContent().expectBody();
        awaitNoRenditions();
    }

    @Test
    void publicBucketsServeRenditionsToAnyone() throws IOException {
        String tenantName = unique("pub");
        String key = createKey(createTenant(tenantName), List.of("admin"), null);
        String open = unique("open");
        createBucket(key, open, Map.of("visibility", "public"));
        http.put().uri("/v1/buckets/{b}/objects/p.png", open).header("X-Api-Key", key).contentType(MediaType.IMAGE_PNG)
                .bodyValue(png(64, 32)).exchange().expectStatus().isOk().expectBody();
        byte[] body = http.get().uri("/public/{t}/{b}/p.png?width=16&format=png", tenantName, open).exchange()
                .expectStatus().isOk().expectBody(byte[].class).returnResult().getResponseBody();
        assertThat(ImageIO.read(new ByteArrayInputStream(body)).getHeight()).isEqualTo(8);
    }

    @Test
    void presetsNameTransformsPerBucket() throws IOException {
        Map<String, Object> thumb = Map.of("name", "thumb", "transform",
                Map.of("width", 32, "height", 32, "fit", "cover", "format", "png"));
        http.put().uri("/v1/buckets/{b}/image-presets", bucket).header("X-Api-Key", admin).contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Map.of("presets", List.of(thumb))).exchange().expectStatus().isNoContent().expectBody();
        BufferedImage image = ImageIO.read(new ByteArrayInputStream(
                get("/v1/buckets/" + bucket + "/objects/photo.jpg?preset=thumb").getResponseBody()));
        assertThat(image.getWidth()).isEqualTo(32);
        assertThat(image.getHeight()).isEqualTo(32);
        // The same rendition as the parameters spelt out: one kept blob.
        get("/v1/buckets/" + bucket + "/objects/photo.jpg?width=32&height=32&fit=cover&format=png");
        assertThat(renditionBlobs()).hasSize(1);

        expectProblem(http.get().uri("/v1/buckets/{b}/objects/photo.jpg?preset=huge", bucket).header("X-Api-Key", admin)
                .exchange(), HttpStatus.UNPROCESSABLE_CONTENT, "invalid_transform");
        expectProblem(http.get().uri("/v1/buckets/{b}/objects/photo.jpg?preset=thumb&width=5", bucket).header("X-Api-Key", admin)
                .exchange(), HttpStatus.UNPROCESSABLE_CONTENT, "invalid_transform");
        // A preset that could not render is refused, and the presets stay as they were.
        expectProblem(http.put().uri("/v1/buckets/{b}/image-presets", bucket).header("X-Api-Key", admin)
                .contentType(MediaType.APPLICATION_JSON).bodyValue(Map.of("presets", List.of(
                        Map.of("name", "bad", "transform", Map.of("width", 0))))).exchange(),
                HttpStatus.UNPROCESSABLE_CONTENT, "invalid_transform");
        expectProblem(http.put().uri("/v1/buckets/{b}/image-presets", bucket).header("X-Api-Key", admin)
                .contentType(MediaType.APPLICATION_JSON).bodyValue(Map.of("presets", List.of(
                        Map.of("name", "Bad Name", "transform", Map.of("width", 10))))).exchange(),
                HttpStatus.BAD_REQUEST, "invalid_request");
        http.get().uri("/v1/buckets/{b}/image-presets", bucket).header("X-Api-Key", admin).exchange().expectStatus().isOk()
                .expectBody().jsonPath("$.presets.length()").isEqualTo(1)
                .jsonPath("$.presets[0].name").isEqualTo("thumb")
                .jsonPath("$.presets[0].transform.width").isEqualTo("32")
                .jsonPath("$.presets[0].pregenerate").isEqualTo(false);
        http.get().uri("/v1/audit?type=bucket_presets_changed").header("X-Api-Key", admin).exchange().expectStatus().isOk()
                .expectBody().jsonPath("$.events[0].details.presets").isEqualTo("1");
    }

    @Test
    void aSignedUrlMayPinOneRenditionOrAllowAny() throws IOException {
        String pinned = signedUrl(Map.of("key", "photo.jpg", "method", "GET", "transform", Map.of("width", 40, "format", "png")));
        assertThat(pinned).contains("&format=png&width=40");
        byte[] body = http.get().uri(java.net.URI.create(pinned)).exchange().expectStatus().isOk()
                .expectHeader().contentType(MediaType.IMAGE_PNG).expectBody(byte[].class).returnResult().getResponseBody();
        assertThat(ImageIO.read(new ByteArrayInputStream(body)).getWidth()).isEqualTo(40);
        // Another size, or the original, is not what the URL was issued for.
        expectProblem(http.get().uri(java.net.URI.create(pinned.replace("width=40", "width=400"))).exchange(),
                HttpStatus.FORBIDDEN, "signed_url_mismatch");
        expectProblem(http.get().uri(java.net.URI.create(pinned.substring(0, pinned.indexOf('&')))).exchange(),
                HttpStatus.FORBIDDEN, "signed_url_mismatch");
        expectProblem(http.get().uri(java.net.URI.create(pinned + "&quality=10")).exchange(),
                HttpStatus.FORBIDDEN, "signed_url_mismatch");

        // Unpinned: the original, and any transform of it.
        String any = signedUrl(Map.of("key", "photo.jpg", "method", "GET"));
        body = http.get().uri(java.net.URI.create(any + "&width=30&format=png")).exchange().expectStatus().isOk()
                .expectBody(byte[].class).returnResult().getResponseBody();
        assertThat(ImageIO.read(new ByteArrayInputStream(body)).getWidth()).isEqualTo(30);

        expectProblem(http.post().uri("/v1/buckets/{b}/signed-urls", bucket).header("X-Api-Key", admin)
                .contentType(MediaType.APPLICATION_JSON).bodyValue(Map.of("key", "photo.jpg", "transform", Map.of("width", 0)))
                .exchange(), HttpStatus.UNPROCESSABLE_CONTENT, "invalid_transform");
        expectProblem(http.post().uri("/v1/buckets/{b}/signed-urls", bucket).header("X-Api-Key", admin)
                .contentType(MediaType.APPLICATION_JSON).bodyValue(Map.of("key", "photo.jpg", "method", "PUT",
                        "transform", Map.of("width", 10))).exchange(), HttpStatus.BAD_REQUEST, "invalid_request");
    }

    @Test
    void signedUrlPinsKnowEveryTransformParameter() {
        Set<String> expected = new java.util.HashSet<>(RenditionSpec.PARAMETERS);
        expected.add(Presets.PARAMETER);
        assertThat(io.granary.security.signed.TransformPin.PARAMETERS).isEqualTo(expected);
    }

    private String signedUrl(Map<String, Object> request) {
        String url = (String) http.post().uri("/v1/buckets/{b}/signed-urls", bucket).header("X-Api-Key", admin)
                .contentType(MediaType.APPLICATION_JSON).bodyValue(request).exchange().expectStatus().isOk()
                .expectBody(Map.class).returnResult().getResponseBody().get("url");
        return url.startsWith("http") ? url : "http://127.0.0.1:" + port + url;
    }

    @Test
    void stripServesTheOriginalWithoutItsMetadata() throws IOException {
        byte[] plain = jpeg(120, 80);
        byte[] tagged = TestImages.withSegments(plain, TestImages.exif(1), TestImages.xmp(), TestImages.comment());
        put("gps.jpg", tagged, MediaType.IMAGE_JPEG);
        byte[] stripped = get("/v1/buckets/" + bucket + "/objects/gps.jpg?strip=true").getResponseBody();
        assertThat(TestImages.contains(stripped, TestImages.SECRET)).as("the EXIF description").isFalse();
        assertThat(TestImages.contains(stripped, "secret-xmp")).isFalse();
        assertThat(TestImages.contains(stripped, "secret-comment")).isFalse();
        // The pixels are the original's, not encoded again: the same image data, as many bytes.
        assertThat(stripped.length).isLessThan(tagged.length).isGreaterThanOrEqualTo(plain.length);
        // The original is untouched.
        assertThat(get("/v1/buckets/" + bucket + "/objects/gps.jpg").getResponseBody()).isEqualTo(tagged);
    }

    private EntityExchangeResult<byte[]> get(String uri) {
        return http.get().uri(uri).header("X-Api-Key", admin).exchange().expectStatus().isOk()
                .expectBody(byte[].class).returnResult();
    }

    private void put(String key, byte[] bytes, MediaType type) {
        http.put().uri("/v1/buckets/{b}/objects/{k}", bucket, key).header("X-Api-Key", admin).contentType(type)
                .bodyValue(bytes).exchange().expectStatus().isOk().expectBody();
    }

    private String objectEtag(String key) {
        return http.head().uri("/v1/buckets/{b}/objects/{k}", bucket, key).header("X-Api-Key", admin).exchange()
                .expectBody().returnResult().getResponseHeaders().getETag();
    }

    private double made() {
        return meters.counter("granary.renditions.made").count();
    }

    /** The rendition blobs of this test's bucket in the store. */
    private List<String> renditionBlobs() {
        String prefix = BlobLocation.RENDITIONS_ROOT + tenantId + "/" + buckets.find(tenantId, bucket).block().id() + "/";
        return blobs.list(prefix).map(blob -> blob.location().path()).collectList().block();
    }

    /** Waits up to ten seconds for the version's renditions to be deleted (after the grace period the tests set). */
    private void awaitNoRenditions() throws InterruptedException {
        for (int i = 0; i < 100 && !renditionBlobs().isEmpty(); i++) {
            Thread.sleep(100);
        }
        assertThat(renditionBlobs()).isEmpty();
    }

    static byte[] jpeg(int width, int height) throws IOException {
        return encode(picture(width, height, BufferedImage.TYPE_INT_RGB), "jpg");
    }

    static byte[] png(int width, int height) throws IOException {
        return encode(picture(width, height, BufferedImage.TYPE_INT_ARGB), "png");
    }

    private static BufferedImage picture(int width, int height, int type) {
        BufferedImage image = new BufferedImage(width, height, type);
        Graphics2D g = image.createGraphics();
        g.setPaint(new java.awt.GradientPaint(0, 0, Color.ORANGE, width, height, Color.BLUE));
        g.fillRect(0, 0, width, height);
        g.dispose();
        return image;
    }

    private static byte[] encode(BufferedImage image, String format) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(image, format, out);
        return out.toByteArray();
    }
}
