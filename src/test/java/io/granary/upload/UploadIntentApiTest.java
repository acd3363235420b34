package io.granary.upload;

import static org.assertj.core.api.Assertions.assertThat;

import io.granary.api.ApiTestSupport;
import io.granary.object.OrphanBlobSweeper;
import io.granary.storage.BlobLocation;
import io.granary.storage.BlobStore;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.core.io.buffer.DefaultDataBufferFactory;
import org.springframework.data.mongodb.core.ReactiveMongoTemplate;
import org.springframework.data.mongodb.core.query.Criteria;
import org.springframework.data.mongodb.core.query.Query;
import org.springframework.data.mongodb.core.query.Update;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;
import reactor.core.publisher.Flux;

/**
 * Upload intents end to end on the filesystem store, where the upload URL is Granary's own
 * ({@link UploadIntentApiOnS3Test} runs the same with presigned S3 URLs): create, send the bytes
 * with a plain HTTP client exactly as told, complete, read the object back, and every way that
 * must fail.
 */
class UploadIntentApiTest extends ApiTestSupport {

    private static final HttpClient PLAIN = HttpClient.newHttpClient();
    /** Headers a plain client sets by itself (and {@link HttpClient} refuses to be given). */
    private static final Set<String> SET_BY_CLIENT = Set.of("content-length", "host");

    @Autowired
    ReactiveMongoTemplate mongo;

    @Autowired
    BlobStore blobs;

    @Autowired
    UploadIntentSweeper sweeper;

    @Autowired
    OrphanBlobSweeper orphans;

    protected String tenantId;
    protected String admin;
    protected String bucket;

    /** Whether the URLs handed out are the store's own (presigned S3) rather than Granary's. */
    protected boolean storeUrls() {
        return false;
    }

    @BeforeEach
    void tenantAndBucket() {
        tenantId = createTenant(unique("up"));
        admin = createKey(tenantId, List.of("admin"), null);
        bucket = unique("uploads");
        createBucket(admin, bucket, Map.of("allowedContentTypes", List.of("image/*", "text/plain")));
    }

    static byte[] png(int size) {
        byte[] bytes = new byte[size];
        new Random(size).nextBytes(bytes);
        System.arraycopy(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'}, 0, bytes, 0, 8);
        return bytes;
    }

    private WebTestClient.ResponseSpec createSpec(String key, String bucketName, Map<String, Object> body) {
        return http.post().uri("/v1/buckets/{b}/uploads", bucketName).header("X-Api-Key", key)
                .contentType(MediaType.APPLICATION_JSON).bodyValue(body).exchange();
    }

    private Map<String, Object> create(String objectKey, int size, String contentType) {
        return create(admin, bucket, Map.of("key", objectKey, "size", size, "contentType", contentType));
    }

    private Map<String, Object> create(String key, String bucketName, Map<String, Object> body) {
        Map<String, Object> created = createSpec(key, bucketName, body).expectStatus().isCreated()
                .expectBody(new ParameterizedTypeReference<Map<String, Object>>() { }).returnResult().getResponseBody();
        // "id" as every resource has, "uploadId" as before: the same value.
        assertThat(created.get("id")).isNotNull().isEqualTo(created.get("uploadId"));
        return created;
    }

    /** Sends the bytes the way any HTTP client would: PUT to the URL with exactly the headers given. */
    @SuppressWarnings("unchecked")
    static int send(Map<String, Object> created, byte[] body) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create((String) created.get("url")))
                .method((String) created.get("method"), HttpRequest.BodyPublishers.ofByteArray(body));
        ((Map<String, String>) created.get("headers")).forEach((name, value) -> {
            if (!SET_BY_CLIENT.contains(name.toLowerCase())) {
                request.header(name, value);
            }
        });
        return PLAIN.send(request.build(), HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    private WebTestClient.ResponseSpec complete(String key, String bucketName, Object uploadId) {
        return http.post().uri("/v1/buckets/{b}/uploads/{u}/complete", bucketName, uploadId).header("X-Api-Key", key)
                .exchange();
    }

    private WebTestClient.ResponseSpec complete(Map<String, Object> created) {
        return complete(admin, bucket, created.get("uploadId"));
    }

    private UploadIntent intent(Map<String, Object> created) {
        return mongo.findById((String) created.get("uploadId"), UploadIntent.class).block();
    }

    private boolean stored(String path) {
        return blobs.head(new BlobLocation(path)).blockOptional().isPresent();
    }

    private void expectNoObject(String objectKey) {
        expectProblem(http.get().uri("/v1/buckets/{b}/objects/{k}", bucket, objectKey).header("X-Api-Key", admin).exchange(),
                HttpStatus.NOT_FOUND, "object_not_found");
    }

    private void expectUsage(int objects, int bytes) {
        http.get().uri("/v1/usage").header("X-Api-Key", admin).exchange().expectStatus().isOk().expectBody()
                .jsonPath("$.buckets['" + bucket + "'].objects").isEqualTo(objects)
                .jsonPath("$.buckets['" + bucket + "'].bytes").isEqualTo(bytes);
    }

    private static String md5(byte[] bytes) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(bytes));
    }

    @Test
    void bytesSentToTheUrlBecomeTheObjectOnlyWhenCompleted() throws Exception {
        byte[] picture = png(70_000);
        Map<String, Object> created = create(admin, bucket, Map.of("key", "photos/cat.png", "size", picture.length,
                "contentType", "image/png", "cacheControl", "max-age=60", "metadata", Map.of("camera", "x100")));
        assertThat(created).containsEntry("key", "photos/cat.png").containsEntry("size", picture.length)
                .containsEntry("contentType", "image/png").containsEntry("state", "pending").containsEntry("method", "PUT");
        assertThat(Instant.parse((String) created.get("expiresAt")))
                .isBetween(Instant.now().plus(Duration.ofMinutes(59)), Instant.now().plus(Duration.ofMinutes(61)));
        assertThat((Map<String, String>) created.get("headers")).containsEntry("Content-Type", "image/png")
                .containsEntry("Content-Length", Integer.toString(picture.length));
        String url = (String) created.get("url");
        if (storeUrls()) {
            assertThat(url).doesNotContain(":" + port + "/").contains("X-Amz-Signature=");
        } else {
            assertThat(url).startsWith("http://127.0.0.1:" + port + "/v1/uploads/" + created.get("uploadId") + "?token=");
        }

        // Handing out a URL is recorded like issuing a signed URL.
        http.get().uri("/v1/audit?type=upload_created").header("X-Api-Key", admin).exchange().expectStatus().isOk()
                .expectBody().jsonPath("$.events[0].target").isEqualTo("object:" + bucket + "/photos/cat.png")
                .jsonPath("$.events[0].details.uploadId").isEqualTo(created.get("uploadId"));

        assertThat(send(created, picture)).isBetween(200, 299);
        // Arrived, but nothing is visible or counted before completion.
        expectNoObject("photos/cat.png");
        expectUsage(0, 0);

        Map<String, Object> object = complete(created).expectStatus().isOk()
                .expectHeader().valueEquals(HttpHeaders.ETAG, "\"" + md5(picture) + "\"")
                .expectBody(new ParameterizedTypeReference<Map<String, Object>>() { }).returnResult().getResponseBody();
        assertThat(object).containsEntry("key", "photos/cat.png").containsEntry("size", picture.length)
                .containsEntry("etag", "\"" + md5(picture) + "\"").containsEntry("contentType", "image/png")
                .containsEntry("detectedType", "image/png").containsEntry("cacheControl", "max-age=60")
                .containsEntry("metadata", Map.of("camera", "x100"));
        byte[] read = http.get().uri("/v1/buckets/{b}/objects/photos/cat.png", bucket).header("X-Api-Key", admin).exchange()
                .expectStatus().isOk()
                .expectHeader().contentType(MediaType.IMAGE_PNG)
                .expectHeader().valueEquals(HttpHeaders.CACHE_CONTROL, "max-age=60")
                .expectHeader().valueEquals("X-Meta-camera", "x100")
                .expectBody(byte[].class).returnResult().getResponseBody();
        assertThat(read).isEqualTo(picture);
        expectUsage(1, picture.length);
        http.get().uri("/v1/buckets/{b}/uploads/{u}", bucket, created.get("uploadId")).header("X-Api-Key", admin).exchange()
                .expectStatus().isOk().expectBody().jsonPath("$.state").isEqualTo("completed");

        // The object lies where no URL reaches: the arrival location is gone (store URLs) or
        // takes nothing more (Granary's URL), so sending again changes nothing.
        UploadIntent intent = intent(created);
        assertThat(stored(intent.upload().location().path())).isTrue();
        assertThat(stored(intent.upload().staging())).isEqualTo(!storeUrls());
        byte[] swapped = picture.clone();
        swapped[picture.length - 1] ^= 1;
        int again = send(created, swapped);
        assertThat(again).isEqualTo(storeUrls() ? 200 : 409);
        complete(created).expectStatus().isOk().expectBody().jsonPath("$.versionId").isEqualTo(object.get("versionId"));
        http.get().uri("/v1/buckets/{b}/objects/photos/cat.png", bucket).header("X-Api-Key", admin).exchange()
                .expectBody(byte[].class).isEqualTo(picture);

        // Completing again is idempotent while that version is current, a conflict after.
        http.put().uri("/v1/buckets/{b}/objects/photos/cat.png", bucket).header("X-Api-Key", admin)
                .contentType(MediaType.IMAGE_PNG).bodyValue(png(100)).exchange().expectStatus().isOk().expectBody();
        expectProblem(complete(created), HttpStatus.CONFLICT, "upload_not_pending");
    }

    @Test
    void completingBeforeTheBytesArriveIsAConflictThatCanBeRetried() throws Exception {
        byte[] text = "plain words, sent straight".getBytes(StandardCharsets.US_ASCII);
        Map<String, Object> created = create("notes/a.txt", text.length, "text/plain");
        expectProblem(complete(created), HttpStatus.CONFLICT, "upload_incomplete");
        assertThat(intent(created).state()).isEqualTo(UploadIntent.State.PENDING);
        assertThat(send(created, text)).isBetween(200, 299);
        complete(created).expectStatus().isOk().expectBody().jsonPath("$.detectedType").isEqualTo("text/plain");
        http.get().uri("/v1/buckets/{b}/objects/notes/a.txt", bucket).header("X-Api-Key", admin).exchange()
                .expectBody(byte[].class).isEqualTo(text);
    }

    @Test
    void bytesOfAnotherSizeAreRefusedOrRejectedAndLeaveNothing() throws Exception {
        Map<String, Object> created = create("photos/size.png", 5000, "image/png");
        // Through the URL: the length is part of the signature (S3) or checked (Granary).
        assertThat(send(created, png(5001))).isEqualTo(storeUrls() ? 403 : 400);
        assertThat(send(created, png(4999))).isEqualTo(storeUrls() ? 403 : 400);
        expectProblem(complete(created), HttpStatus.CONFLICT, "upload_incomplete");

        // A store that took other bytes anyway (one that does not enforce what it signed):
        // completion measures them, rejects the upload and deletes them.
        UploadIntent intent = intent(created);
        blobs.put(intent.upload().stagingLocation(),
                Flux.just(DefaultDataBufferFactory.sharedInstance.wrap(png(6000))), 6000L, Map.of()).block();
        expectProblem(complete(created), HttpStatus.BAD_REQUEST, "upload_size_mismatch");
        UploadIntent rejected = intent(created);
        assertThat(rejected.state()).isEqualTo(UploadIntent.State.REJECTED);
        assertThat(rejected.rejection()).isEqualTo("upload_size_mismatch");
        assertThat(stored(intent.upload().staging())).isFalse();
        assertThat(stored(intent.upload().location().path())).isFalse();
        expectNoObject("photos/size.png");
        expectUsage(0, 0);
        expectProblem(complete(created), HttpStatus.CONFLICT, "upload_not_pending");
        http.get().uri("/v1/buckets/{b}/uploads/{u}", bucket, created.get("uploadId")).header("X-Api-Key", admin).exchange()
                .expectBody().jsonPath("$.state").isEqualTo("rejected").jsonPath("$.rejection").isEqualTo("upload_size_mismatch");
    }

    @Test
    void bytesThatAreNotTheDeclaredTypeAreRejectedAndDeleted() throws Exception {
        byte[] html = "<html><script>alert(document.cookie)</script></html>".getBytes(StandardCharsets.US_ASCII);
        Map<String, Object> created = create("photos/fake.png", html.length, "image/png");
        // The declared type is sent (it is signed, or checked); the bytes only show at completion.
        assertThat(send(created, html)).isBetween(200, 299);
        UploadIntent intent = intent(created);
        assertThat(stored(intent.upload().staging())).isTrue();
        expectProblem(complete(created), HttpStatus.UNSUPPORTED_MEDIA_TYPE, "content_type_mismatch");
        assertThat(intent(created).state()).isEqualTo(UploadIntent.State.REJECTED);
        assertThat(stored(intent.upload().staging())).isFalse();
        assertThat(stored(intent.upload().location().path())).isFalse();
        expectNoObject("photos/fake.png");
        expectUsage(0, 0);
    }

    @Test
    void theUrlTakesOnlyTheDeclaredType() throws Exception {
        Map<String, Object> created = create("photos/typed.png", 100, "image/png");
        Map<String, Object> retyped = new HashMap<>(created);
        retyped.put("headers", Map.of("Content-Type", "image/gif"));
        assertThat(send(retyped, png(100))).isEqualTo(storeUrls() ? 403 : 415);
        expectProblem(complete(created), HttpStatus.CONFLICT, "upload_incomplete");
    }

    @Test
    void intentsAreJudgedByTheUploadRulesBeforeAnyByteMoves() {
        String limited = unique("limited");
        createBucket(admin, limited, Map.of("maxObjectSize", 1000, "quotaBytes", 1500, "allowedContentTypes", List.of("image/*")));
        expectProblem(createSpec(admin, limited, Map.of("key", "a.pdf", "size", 10, "contentType", "application/pdf")),
                HttpStatus.UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type");
        expectProblem(createSpec(admin, limited, Map.of("key", "a.png", "size", 1001, "contentType", "image/png")),
                HttpStatus.CONTENT_TOO_LARGE, "entity_too_large");
        http.put().uri("/v1/buckets/{b}/objects/existing.png", limited).header("X-Api-Key", admin)
                .contentType(MediaType.IMAGE_PNG).bodyValue(png(1000)).exchange().expectStatus().isOk().expectBody();
        expectProblem(createSpec(admin, limited, Map.of("key", "b.png", "size", 501, "contentType", "image/png")),
                HttpStatus.CONTENT_TOO_LARGE, "quota_exceeded");
        // Replacing the existing object with one no larger fits.
        createSpec(admin, limited, Map.of("key", "existing.png", "size", 900, "contentType", "image/png"))
                .expectStatus().isCreated().expectBody();

        expectProblem(createSpec(admin, bucket, Map.of("key", "a.png", "contentType", "image/png")),
                HttpStatus.BAD_REQUEST, "invalid_request");
        expectProblem(createSpec(admin, bucket, Map.of("key", "a.png", "size", -1, "contentType", "image/png")),
                HttpStatus.BAD_REQUEST, "invalid_request");
        expectProblem(createSpec(admin, bucket, Map.of("key", "../a.png", "size", 1, "contentType", "image/png")),
                HttpStatus.BAD_REQUEST, "invalid_key");
        expectProblem(createSpec(admin, bucket, Map.of("key", "a.png", "size", 1, "contentType", "image/*")),
                HttpStatus.BAD_REQUEST, "invalid_request");
        expectProblem(createSpec(admin, bucket, Map.of("key", "a.png", "size", 1, "contentType", "image/png",
                "metadata", Map.of("bad.name", "x"))), HttpStatus.BAD_REQUEST, "invalid_metadata");
        expectProblem(createSpec(admin, bucket, Map.of("key", "a.png", "size", 1, "region", "eu")),
                HttpStatus.BAD_REQUEST, "invalid_json");
        expectProblem(createSpec(admin, unique("missing"), Map.of("key", "a.png", "size", 1, "contentType", "image/png")),
                HttpStatus.NOT_FOUND, "bucket_not_found");
        expectProblem(complete(admin, bucket, "not-an-id"), HttpStatus.NOT_FOUND, "upload_not_found");
        expectProblem(complete(admin, bucket, "0123456789abcdef01234567"), HttpStatus.NOT_FOUND, "upload_not_found");
    }

    @Test
    void expiredIntentsAreRefusedAndSweptWithTheirBytes() throws Exception {
        byte[] picture = png(3000);
        Map<String, Object> created = create("photos/late.png", picture.length, "image/png");
        assertThat(send(created, picture)).isBetween(200, 299);
        UploadIntent intent = intent(created);
        // An open intent's bytes are safe from the orphan sweeper, however old they are.
        orphans.sweep(Instant.now().plus(Duration.ofDays(2))).block();
        assertThat(stored(intent.upload().staging())).isTrue();

        mongo.updateFirst(Query.query(Criteria.where("_id").is(intent.id())),
                new Update().set("expiresAt", Instant.now().minusSeconds(1)), UploadIntent.class).block();
        expectProblem(complete(created), HttpStatus.GONE, "upload_expired");
        http.get().uri("/v1/buckets/{b}/uploads/{u}", bucket, intent.id()).header("X-Api-Key", admin).exchange()
                .expectBody().jsonPath("$.state").isEqualTo("expired");
        if (!storeUrls()) {
            assertThat(send(created, picture)).isEqualTo(410);
        }

        assertThat(sweeper.sweep(Instant.now()).block()).isGreaterThanOrEqualTo(1L);
        assertThat(intent(created).state()).isEqualTo(UploadIntent.State.EXPIRED);
        assertThat(stored(intent.upload().staging())).isFalse();
        expectProblem(complete(created), HttpStatus.GONE, "upload_expired");
        expectNoObject("photos/late.png");

        // A day after its expiry the intent itself is forgotten.
        sweeper.sweep(Instant.now().plus(Duration.ofDays(2))).block();
        assertThat(intent(created)).isNull();
        expectProblem(complete(created), HttpStatus.NOT_FOUND, "upload_not_found");
    }

    @Test
    void completedIntentsSurviveTheSweepsAndTheirObjectsStay() throws Exception {
        byte[] picture = png(2000);
        Map<String, Object> created = create("photos/kept.png", picture.length, "image/png");
        assertThat(send(created, picture)).isBetween(200, 299);
        complete(created).expectStatus().isOk().expectBody();
        sweeper.sweep(Instant.now().plus(Duration.ofHours(2))).block();
        assertThat(intent(created).state()).isEqualTo(UploadIntent.State.COMPLETED);
        sweeper.sweep(Instant.now().plus(Duration.ofDays(2))).block();
        assertThat(intent(created)).isNull();
        http.get().uri("/v1/buckets/{b}/objects/photos/kept.png", bucket).header("X-Api-Key", admin).exchange()
                .expectStatus().isOk().expectBody(byte[].class).isEqualTo(picture);
    }

    @Test
    void anIntentStuckCompletingIsSettledByWhatTheCatalogueSays() throws Exception {
        Map<String, Object> created = create("photos/stuck.png", 500, "image/png");
        assertThat(send(created, png(500))).isBetween(200, 299);
        // As a node that died mid-completion leaves it.
        mongo.updateFirst(Query.query(Criteria.where("_id").is(created.get("uploadId"))),
                new Update().set("state", UploadIntent.State.COMPLETING)
                        .set("stateChangedAt", Instant.now().minus(Duration.ofHours(2))), UploadIntent.class).block();
        expectProblem(complete(created), HttpStatus.CONFLICT, "upload_not_pending");
        sweeper.sweep(Instant.now()).block();
        assertThat(intent(created).state()).isEqualTo(UploadIntent.State.PENDING);
        complete(created).expectStatus().isOk().expectBody().jsonPath("$.size").isEqualTo(500);
    }

    @Test
    void onlyWritersOfThatBucketInThatTenantReachAnIntent() throws Exception {
        Map<String, Object> created = create("photos/mine.png", 800, "image/png");
        Object uploadId = created.get("uploadId");
        assertThat(send(created, png(800))).isBetween(200, 299);

        // Another tenant, even with a bucket of the same name, finds nothing.
        String stranger = newTenantAdmin();
        expectProblem(complete(stranger, bucket, uploadId), HttpStatus.NOT_FOUND, "bucket_not_found");
        createBucket(stranger, bucket, Map.of());
        expectProblem(complete(stranger, bucket, uploadId), HttpStatus.NOT_FOUND, "upload_not_found");
        expectProblem(http.get().uri("/v1/buckets/{b}/uploads/{u}", bucket, uploadId).header("X-Api-Key", stranger).exchange(),
                HttpStatus.NOT_FOUND, "upload_not_found");
        // In this tenant: a key scoped to another bucket, a key without write, the root key.
        String other = unique("other");
        createBucket(admin, other, Map.of());
        String scoped = createKey(tenantId, List.of("write"), List.of(other));
        expectProblem(complete(scoped, bucket, uploadId), HttpStatus.FORBIDDEN, "forbidden");
        expectProblem(complete(scoped, other, uploadId), HttpStatus.NOT_FOUND, "upload_not_found");
        expectProblem(complete(createKey(tenantId, List.of("read", "list"), null), bucket, uploadId),
                HttpStatus.FORBIDDEN, "forbidden");
        expectProblem(createSpec(scoped, bucket, Map.of("key", "x.png", "size", 1, "contentType", "image/png")),
                HttpStatus.FORBIDDEN, "forbidden");
        expectProblem(http.post().uri("/v1/buckets/{b}/uploads/{u}/complete", bucket, uploadId)
                .header("Authorization", "Bearer " + ROOT_KEY).exchange(), HttpStatus.FORBIDDEN, "forbidden");
        // A signed PUT URL for the very key does not manage uploads.
        String signed = (String) http.post().uri("/v1/buckets/{b}/signed-urls", bucket).header("X-Api-Key", admin)
                .contentType(MediaType.APPLICATION_JSON).bodyValue(Map.of("key", "photos/mine.png", "method", "PUT"))
                .exchange().expectBody(Map.class).returnResult().getResponseBody().get("url");
        String token = signed.substring(signed.indexOf("token=") + "token=".length());
        expectProblem(http.post().uri("/v1/buckets/{b}/uploads/{u}/complete?token={t}", bucket, uploadId, token).exchange(),
                HttpStatus.FORBIDDEN, "forbidden");
        expectNoObject("photos/mine.png");

        // A write key of the bucket may complete what an admin created.
        complete(createKey(tenantId, List.of("write"), List.of(bucket)), bucket, uploadId).expectStatus().isOk().expectBody();
    }

    @Test
    void granarysUploadUrlOpensNothingElse() throws Exception {
        if (storeUrls()) {
            return; // the store's own URLs are the store's business (see S3BlobStoreTest)
        }
        Map<String, Object> created = create("photos/url.png", 10, "image/png");
        Map<String, Object> other = create("photos/other.png", 10, "image/png");
        String url = (String) created.get("url");
        String token = url.substring(url.indexOf("token=") + "token=".length());
        expectProblem(http.put().uri("/v1/uploads/{u}?token={t}", other.get("uploadId"), token)
                .contentType(MediaType.IMAGE_PNG).bodyValue(png(10)).exchange(), HttpStatus.FORBIDDEN, "signed_url_mismatch");
        expectProblem(http.put().uri("/v1/uploads/{u}", created.get("uploadId")).header("X-Api-Key", admin)
                .contentType(MediaType.IMAGE_PNG).bodyValue(png(10)).exchange(), HttpStatus.UNAUTHORIZED, "unauthenticated");
        expectProblem(http.put().uri("/v1/uploads/{u}?token={t}", created.get("uploadId"), token.substring(0, token.length() - 2))
                .contentType(MediaType.IMAGE_PNG).bodyValue(png(10)).exchange(), HttpStatus.FORBIDDEN, "signed_url_invalid");
        // The token is no signed URL for the object itself, nor for anything else.
        expectProblem(http.put().uri("/v1/buckets/{b}/objects/photos/url.png?token={t}", bucket, token)
                .contentType(MediaType.IMAGE_PNG).bodyValue(png(10)).exchange(), HttpStatus.FORBIDDEN, "signed_url_invalid");
        expectProblem(http.get().uri("/v1/buckets/{b}/objects/photos/url.png?token={t}", bucket, token).exchange(),
                HttpStatus.FORBIDDEN, "signed_url_invalid");
        expectProblem(http.post().uri("/v1/buckets/{b}/uploads/{u}/complete?token={t}", bucket, created.get("uploadId"), token)
                .exchange(), HttpStatus.FORBIDDEN, "signed_url_invalid");
        expectProblem(http.get().uri("/v1/uploads/{u}?token={t}", created.get("uploadId"), token).exchange(),
                HttpStatus.METHOD_NOT_ALLOWED, "method_not_allowed");
        // A body longer than declared without a Content-Length is stopped and leaves nothing.
        Flux<org.springframework.core.io.buffer.DataBuffer> chunked = Flux.range(0, 3)
                .map(i -> DefaultDataBufferFactory.sharedInstance.wrap(png(8)));
        expectProblem(http.put().uri(URI.create(url)).contentType(MediaType.IMAGE_PNG)
                .body(chunked, org.springframework.core.io.buffer.DataBuffer.class).exchange(),
                HttpStatus.BAD_REQUEST, "upload_size_mismatch");
        assertThat(stored(intent(created).upload().staging())).isFalse();
        assertThat(send(created, png(10))).isEqualTo(204);
        assertThat(send(created, png(10))).isEqualTo(409);

        // The URL dies with the key that created the upload.
        String creator = createKey(tenantId, List.of("write"), null);
        Map<String, Object> revocable = create(creator, bucket, Map.of("key", "photos/revoked.png", "size", 10,
                "contentType", "image/png"));
        String keyId = creator.split("_")[1];
        http.delete().uri("/v1/tenants/{t}/keys/{k}", tenantId, keyId).header("X-Api-Key", admin).exchange()
                .expectStatus().isNoContent();
        assertThat(send(revocable, png(10))).isEqualTo(403);
    }
}
