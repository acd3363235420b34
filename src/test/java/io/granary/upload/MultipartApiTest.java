package io.granary.upload;

import static org.assertj.core.api.Assertions.assertThat;

import io.granary.api.ApiTestSupport;
import io.granary.common.Ids;
import io.granary.config.GranaryProperties;
import io.granary.error.GranaryException;
import io.granary.storage.BlobLocation;
import io.granary.storage.MultipartStore;
import io.granary.storage.StoredPart;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DefaultDataBufferFactory;
import org.springframework.data.mongodb.core.ReactiveMongoTemplate;
import org.springframework.data.mongodb.core.query.Criteria;
import org.springframework.data.mongodb.core.query.Query;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;
import reactor.core.publisher.Flux;

/**
 * Multipart uploads end to end on the filesystem store, with a small minimum part size
 * ({@link MultipartApiOnS3Test} runs the same on S3Proxy with S3's 5 MiB and presigned parts):
 * parts uploaded out of order and concurrently, completion, the object read back, and every
 * way that must fail.
 */
class MultipartApiTest extends ApiTestSupport {

    private static final ParameterizedTypeReference<Map<String, Object>> JSON = new ParameterizedTypeReference<>() { };

    private static final Path OWN_DATA_DIR = tempDir();

    @DynamicPropertySource
    static void smallParts(DynamicPropertyRegistry registry) {
        // A context of its own (another minimum part size) needs a data directory of its own;
        // a subclass names its own one in granary.test.multipart-data-dir.
        registry.add("granary.test.data-dir", () -> "${granary.test.multipart-data-dir:" + OWN_DATA_DIR + "}");
        registry.add("granary.multipart.min-part-size", () -> "${granary.test.min-part-size:64KB}");
    }

    @Autowired
    ReactiveMongoTemplate mongo;

    @Autowired
    MultipartStore store;

    @Autowired
    MultipartSweeper sweeper;

    @Autowired
    GranaryProperties properties;

    private final Random random = new Random();
    protected String tenantId;
    protected String admin;
    protected String bucket;

    /** The size of every part but the last: the configured minimum. */
    protected int partSize() {
        return 64 * 1024;
    }

    /** Whether the store hands out presigned part URLs. */
    protected boolean partUrls() {
        return false;
    }

    @BeforeEach
    void tenantAndBucket() {
        tenantId = createTenant(unique("mp"));
        admin = createKey(tenantId, List.of("admin"), null);
        bucket = unique("multi");
        createBucket(admin, bucket, Map.of());
    }

    @Test
    void partsUploadedOutOfOrderAndConcurrentlyBecomeOneObjectWithTheS3Etag() throws Exception {
        byte[][] parts = {bytes(partSize()), bytes(partSize()), bytes(partSize()), bytes(1234)};
        String id = start("big/file.bin", "application/octet-stream");
        http.get().uri("/v1/buckets/{b}/objects/big/file.bin", bucket).header("X-Api-Key", admin).exchange()
                .expectStatus().isNotFound().expectBody();

        List<CompletableFuture<String>> etags = IntStream.of(3, 1, 0, 2)
                .mapToObj(i -> CompletableFuture.supplyAsync(() -> putPart(id, i + 1, parts[i]))).toList();
        List<Map<String, Object>> refs = new ArrayList<>();
        for (int i = 0; i < parts.length; i++) {
            int n = i + 1;
            String etag = etags.stream().map(CompletableFuture::join).filter(e -> e.equals(quoted(md5(parts[n - 1]))))
                    .findFirst().orElseThrow();
            refs.add(Map.of("n", n, "etag", etag));
        }
        Map<String, Object> listing = get(id);
        assertThat((List<Map<String, Object>>) listing.get("parts")).extracting(p -> p.get("n")).containsExactly(1, 2, 3, 4);
        assertThat((List<Map<String, Object>>) listing.get("parts")).extracting(p -> p.get("etag"))
                .containsExactly(quoted(md5(parts[0])), quoted(md5(parts[1])), quoted(md5(parts[2])), quoted(md5(parts[3])));

        String expectedEtag = s3Etag(parts);
        complete(id, refs).expectStatus().isOk()
                .expectHeader().valueEquals("ETag", "\"" + expectedEtag + "\"")
                .expectBody().jsonPath("$.etag").isEqualTo("\"" + expectedEtag + "\"").jsonPath("$.size").isEqualTo(3 * partSize() + 1234);

        byte[] all = concat(parts);
        byte[] read = http.get().uri("/v1/buckets/{b}/objects/big/file.bin", bucket).header("X-Api-Key", admin).exchange()
                .expectStatus().isOk().expectHeader().valueEquals("ETag", "\"" + expectedEtag + "\"")
                .expectBody(byte[].class).returnResult().getResponseBody();
        assertThat(md5(read)).isEqualTo(md5(all));
        byte[] range = http.get().uri("/v1/buckets/{b}/objects/big/file.bin", bucket).header("X-Api-Key", admin)
                .header("Range", "bytes=" + (partSize() - 10) + "-" + (partSize() + 9)).exchange()
                .expectStatus().isEqualTo(HttpStatus.PARTIAL_CONTENT).expectBody(byte[].class).returnResult().getResponseBody();
        assertThat(range).containsExactly(java.util.Arrays.copyOfRange(all, partSize() - 10, partSize() + 10));
        // The upload's view quotes its ETag like the object's answers.
        assertThat(get(id)).containsEntry("state", "completed").containsEntry("etag", "\"" + expectedEtag + "\"");
    }

    @Test
    void partNumbersLengthsAndSizeRulesAreCheckedWithClearErrors() {
        String id = start("rules.bin", null);
        expectProblem(http.put().uri(partUri(id, 0)).header("X-Api-Key", admin).bodyValue(bytes(10)).exchange(),
                HttpStatus.BAD_REQUEST, "invalid_part_number");
        expectProblem(http.put().uri(partUri(id, 10_001)).header("X-Api-Key", admin).bodyValue(bytes(10)).exchange(),
                HttpStatus.BAD_REQUEST, "invalid_part_number");
        expectProblem(http.put().uri("/v1/buckets/{b}/multipart/{id}/parts/x", bucket, id).header("X-Api-Key", admin)
                .bodyValue(bytes(10)).exchange(), HttpStatus.BAD_REQUEST, "invalid_part_number");
        Flux<DataBuffer> chunked = Flux.just(DefaultDataBufferFactory.sharedInstance.wrap(bytes(10)));
        expectProblem(http.put().uri(partUri(id, 1)).header("X-Api-Key", admin).body(chunked, DataBuffer.class).exchange(),
                HttpStatus.LENGTH_REQUIRED, "length_required");

        byte[] small = bytes(partSize() - 1);
        byte[] full = bytes(partSize());
        byte[] bigger = bytes(partSize() + 1);
        String e1 = putPart(id, 1, small);
        String e2 = putPart(id, 2, full);
        String e3 = putPart(id, 3, bigger);
        String e4 = putPart(id, 4, bytes(5));
        expectProblem(complete(id, List.of(ref(1, e1), ref(2, e2))), HttpStatus.BAD_REQUEST, "part_too_small");
        expectProblem(complete(id, List.of(ref(2, e2), ref(3, e3), ref(4, e4))), HttpStatus.BAD_REQUEST, "part_size_mismatch");
        expectProblem(complete(id, List.of(ref(3, e3), ref(2, e2))), HttpStatus.BAD_REQUEST, "invalid_part_order");
        expectProblem(complete(id, List.of(ref(2, e2), ref(2, e2))), HttpStatus.BAD_REQUEST, "invalid_part_order");
        expectProblem(complete(id, List.of()), HttpStatus.BAD_REQUEST, "invalid_request");

        // Refusals leave the upload open: a valid list still completes it.
        assertThat(get(id)).containsEntry("state", "open");
        complete(id, List.of(ref(2, e2), ref(4, e4))).expectStatus().isOk().expectBody()
                .jsonPath("$.size").isEqualTo(partSize() + 5);
    }

    @Test
    void wrongOrMissingEtagsAreRefusedAndTheUploadStaysOpen() {
        String id = start("etags.bin", null);
        byte[] one = bytes(partSize());
        String e1 = putPart(id, 1, one);

        expectProblem(complete(id, List.of(ref(1, md5(new byte[3])))), HttpStatus.BAD_REQUEST, "invalid_part");
        expectProblem(complete(id, List.of(ref(1, e1), ref(2, e1))), HttpStatus.BAD_REQUEST, "invalid_part");
        expectProblem(http.post().uri("/v1/buckets/{b}/multipart/{id}/complete", bucket, id).header("X-Api-Key", admin)
                .contentType(MediaType.APPLICATION_JSON).bodyValue(Map.of("parts", List.of(Map.of("n", 1)))).exchange(),
                HttpStatus.BAD_REQUEST, "invalid_request");

        assertThat(get(id)).containsEntry("state", "open");
        complete(id, List.of(ref(1, e1))).expectStatus().isOk().expectBody();
    }

    @Test
    void completingAgainWithTheSameListAnswersTheSameObjectAnotherListOrAnAbortIsAConflict() {
        String id = start("twice.txt", "text/plain");
        byte[] text = "hello multipart".getBytes();
        String e1 = putPart(id, 1, text);

        String etag = complete(id, List.of(ref(1, e1))).expectStatus().isOk().expectBody(JSON).returnResult()
                .getResponseBody().get("etag").toString().replace("\"", "");
        complete(id, List.of(ref(1, e1))).expectStatus().isOk().expectBody().jsonPath("$.etag").isEqualTo("\"" + etag + "\"");
        assertThat(etag).isEqualTo(s3Etag(new byte[][] {text}));

        expectProblem(complete(id, List.of(ref(1, md5(new byte[1])))), HttpStatus.CONFLICT, "upload_not_pending");
        expectProblem(http.delete().uri("/v1/buckets/{b}/multipart/{id}", bucket, id).header("X-Api-Key", admin).exchange(),
                HttpStatus.CONFLICT, "upload_not_pending");
        expectProblem(http.put().uri(partUri(id, 2)).header("X-Api-Key", admin).bodyValue(bytes(10)).exchange(),
                HttpStatus.CONFLICT, "upload_not_pending");
    }

    @Test
    void abortFreesThePartsInTheStoreAndTheRecord() {
        String id = start("aborted.bin", null);
        String e1 = putPart(id, 1, bytes(partSize()));
        putPart(id, 2, bytes(100));
        MultipartUpload before = record(id);
        assertThat(before.parts()).hasSize(2);

        http.delete().uri("/v1/buckets/{b}/multipart/{id}", bucket, id).header("X-Api-Key", admin).exchange()
                .expectStatus().isNoContent().expectBody();
        http.delete().uri("/v1/buckets/{b}/multipart/{id}", bucket, id).header("X-Api-Key", admin).exchange()
                .expectStatus().isNoContent().expectBody();

        assertThat(record(id).parts()).as("parts in the record").isNullOrEmpty();
        assertThat(storeParts(before)).as("parts in the store").isEmpty();
        assertThat(get(id)).containsEntry("state", "aborted");
        expectProblem(complete(id, List.of(ref(1, e1))), HttpStatus.CONFLICT, "upload_not_pending");
        expectProblem(http.put().uri(partUri(id, 3)).header("X-Api-Key", admin).bodyValue(bytes(10)).exchange(),
                HttpStatus.CONFLICT, "upload_not_pending");
    }

    @Test
    void completeRacingAnAbortEndsOneWayOnly() {
        for (int round = 0; round < 8; round++) {
            String key = "race-" + round + ".bin";
            String id = start(key, null);
            byte[] data = bytes(1000);
            String e1 = putPart(id, 1, data);
            MultipartUpload before = record(id);

            CompletableFuture<Integer> completed = CompletableFuture.supplyAsync(() -> complete(id, List.of(ref(1, e1)))
                    .expectBody().returnResult().getStatus().value());
            CompletableFuture<Integer> aborted = CompletableFuture.supplyAsync(() -> http.delete()
                    .uri("/v1/buckets/{b}/multipart/{id}", bucket, id).header("X-Api-Key", admin).exchange()
                    .expectBody().returnResult().getStatus().value());
            int completeStatus = completed.join();
            int abortStatus = aborted.join();

            String state = (String) get(id).get("state");
            WebTestClient.ResponseSpec read = http.get().uri("/v1/buckets/{b}/objects/{k}", bucket, key)
                    .header("X-Api-Key", admin).exchange();
            if (completeStatus == 200) {
                assertThat(abortStatus).as("abort after a completion in round " + round).isEqualTo(409);
                assertThat(state).isEqualTo("completed");
                assertThat(read.expectStatus().isOk().expectBody(byte[].class).returnResult().getResponseBody()).isEqualTo(data);
            } else {
                assertThat(completeStatus).as("completion after an abort in round " + round).isEqualTo(409);
                assertThat(abortStatus).isEqualTo(204);
                assertThat(state).isEqualTo("aborted");
                read.expectStatus().isNotFound().expectBody();
                assertThat(storeParts(before)).as("parts in the store after the abort").isEmpty();
            }
        }
    }

    @Test
    void theSamePartUploadedConcurrentlyKeepsOneWriteAndLeaksNothing() throws Exception {
        String id = start("race.bin", null);
        List<byte[]> bodies = Stream.generate(() -> bytes(partSize())).limit(4).toList();
        List<CompletableFuture<String>> writes = bodies.stream()
                .map(body -> CompletableFuture.supplyAsync(() -> putPart(id, 1, body))).toList();
        writes.forEach(CompletableFuture::join);

        List<Map<String, Object>> listed = (List<Map<String, Object>>) get(id).get("parts");
        assertThat(listed).hasSize(1);
        String winner = (String) listed.get(0).get("etag");
        byte[] won = bodies.stream().filter(b -> quoted(md5(b)).equals(winner)).findFirst().orElseThrow();
        if (!store.tracksParts()) {
            Path dir = properties.dataDir().resolve("store/multipart").resolve(record(id).storeUploadId());
            try (Stream<Path> files = Files.list(dir)) {
                assertThat(files.filter(f -> f.getFileName().toString().startsWith("1.")).count())
                        .as("copies of part 1 on disk").isEqualTo(1);
            }
        }

        complete(id, List.of(ref(1, winner))).expectStatus().isOk().expectBody();
        byte[] read = http.get().uri("/v1/buckets/{b}/objects/race.bin", bucket).header("X-Api-Key", admin).exchange()
                .expectStatus().isOk().expectBody(byte[].class).returnResult().getResponseBody();
        assertThat(md5(read)).isEqualTo(md5(won));
    }

    @Test
    void anotherTenantCannotSeeOrTouchTheUpload() {
        String id = start("mine.bin", null);
        String e1 = putPart(id, 1, bytes(10));
        String other = createKey(createTenant(unique("other")), List.of("admin"), null);
        createBucket(other, bucket, Map.of()); // same bucket name, other tenant
        String reader = createKey(tenantId, List.of("read"), null);

        expectProblem(http.get().uri("/v1/buckets/{b}/multipart/{id}", bucket, id).header("X-Api-Key", other).exchange(),
                HttpStatus.NOT_FOUND, "upload_not_found");
        expectProblem(http.put().uri(partUri(id, 2)).header("X-Api-Key", other).bodyValue(bytes(10)).exchange(),
                HttpStatus.NOT_FOUND, "upload_not_found");
        expectProblem(http.post().uri("/v1/buckets/{b}/multipart/{id}/complete", bucket, id).header("X-Api-Key", other)
                .contentType(MediaType.APPLICATION_JSON).bodyValue(Map.of("parts", List.of(ref(1, e1)))).exchange(),
                HttpStatus.NOT_FOUND, "upload_not_found");
        expectProblem(http.delete().uri("/v1/buckets/{b}/multipart/{id}", bucket, id).header("X-Api-Key", other).exchange(),
                HttpStatus.NOT_FOUND, "upload_not_found");
        expectProblem(http.get().uri("/v1/buckets/{b}/multipart/{id}", bucket, id).header("X-Api-Key", reader).exchange(),
                HttpStatus.FORBIDDEN, "forbidden");

        assertThat(get(id)).containsEntry("state", "open");
        assertThat((List<?>) get(id).get("parts")).hasSize(1);
    }

    @Test
    void presignedPartUrlsWhereTheStoreHasThem() throws Exception {
        String id = start("direct.bin", null);
        if (!partUrls()) {
            expectProblem(http.post().uri("/v1/buckets/{b}/multipart/{id}/parts/1/url", bucket, id).header("X-Api-Key", admin)
                    .exchange(), HttpStatus.BAD_REQUEST, "part_urls_unsupported");
            return;
        }
        byte[] one = bytes(partSize());
        byte[] two = bytes(777);
        String e1 = sendPresigned(id, 1, one);
        String e2 = putPart(id, 2, two);
        assertThat(e1).isEqualTo(md5(one));
        assertThat((List<?>) get(id).get("parts")).hasSize(2);

        complete(id, List.of(ref(1, e1), ref(2, e2))).expectStatus().isOk().expectBody()
                .jsonPath("$.etag").isEqualTo("\"" + s3Etag(new byte[][] {one, two}) + "\"");
        byte[] read = http.get().uri("/v1/buckets/{b}/objects/direct.bin", bucket).header("X-Api-Key", admin).exchange()
                .expectStatus().isOk().expectBody(byte[].class).returnResult().getResponseBody();
        assertThat(md5(read)).isEqualTo(md5(concat(new byte[][] {one, two})));
    }

    @Test
    void theSweeperAbortsExpiredUploadsAndFreesTheirParts() {
        String fresh = start("fresh.bin", null);
        String old = start("old.bin", null);
        putPart(old, 1, bytes(100));
        MultipartUpload before = record(old);

        // As of eight days from now: both are past the default seven days.
        assertThat(sweeper.sweep(Instant.now().plus(Duration.ofDays(8))).block()).isGreaterThanOrEqualTo(2L);

        assertThat(get(old)).containsEntry("state", "aborted");
        assertThat(record(old).parts()).isNullOrEmpty();
        assertThat(record(old).rejection()).isEqualTo("expired");
        assertThat(storeParts(before)).isEmpty();
        assertThat(get(fresh)).containsEntry("state", "aborted");

        // Ended uploads are forgotten a day after they ended (here: eight days from now).
        sweeper.sweep(Instant.now().plus(Duration.ofDays(10))).block();
        expectProblem(http.get().uri("/v1/buckets/{b}/multipart/{id}", bucket, old).header("X-Api-Key", admin).exchange(),
                HttpStatus.NOT_FOUND, "upload_not_found");
    }

    @Test
    void theSweeperAbortsStoreUploadsNoRecordKnowsOnceAllRecordedOnesHaveExpired() {
        // What a node leaves behind when it dies between starting an upload in the store and
        // recording it: parts nothing refers to.
        BlobLocation target = BlobLocation.of("orphantenant", "orphanbucket", Ids.newId());
        String storeId = store.createMultipart(target, Map.of()).block();
        store.uploadPart(target, storeId, 1, Flux.just(DefaultDataBufferFactory.sharedInstance.wrap(bytes(100))), 100).block();

        sweeper.sweep(Instant.now()).block();
        assertThat(storeParts(target, storeId)).as("a recent upload is left alone").isNotEmpty();

        // Past seven days (expire-after) and one hour: every recorded upload has expired by then.
        sweeper.sweep(Instant.now().plus(Duration.ofDays(7)).plus(Duration.ofMinutes(61))).block();
        assertThat(storeParts(target, storeId)).as("the orphan's parts").isEmpty();
    }

    @Test
    void completionIsRefusedWhenTheQuotaHasNoRoomAndTheUploadStaysOpen() {
        String limited = unique("quota");
        createBucket(admin, limited, Map.of("quotaBytes", partSize() + 10));
        Map<String, Object> started = http.post().uri("/v1/buckets/{b}/multipart", limited).header("X-Api-Key", admin)
                .contentType(MediaType.APPLICATION_JSON).bodyValue(Map.of("key", "q.bin")).exchange()
                .expectStatus().isCreated().expectBody(JSON).returnResult().getResponseBody();
        String id = (String) started.get("uploadId");
        String e1 = uploadPart(limited, id, 1, bytes(partSize()));
        String e2 = uploadPart(limited, id, 2, bytes(100));

        expectProblem(http.post().uri("/v1/buckets/{b}/multipart/{id}/complete", limited, id).header("X-Api-Key", admin)
                .contentType(MediaType.APPLICATION_JSON).bodyValue(Map.of("parts", List.of(ref(1, e1), ref(2, e2))))
                .exchange(), HttpStatus.CONTENT_TOO_LARGE, "quota_exceeded");

        http.get().uri("/v1/buckets/{b}/objects/q.bin", limited).header("X-Api-Key", admin).exchange()
                .expectStatus().isNotFound().expectBody();
        http.get().uri("/v1/buckets/{b}/multipart/{id}", limited, id).header("X-Api-Key", admin).exchange()
                .expectStatus().isOk().expectBody().jsonPath("$.state").isEqualTo("open");
        http.post().uri("/v1/buckets/{b}/multipart/{id}/complete", limited, id).header("X-Api-Key", admin)
                .contentType(MediaType.APPLICATION_JSON).bodyValue(Map.of("parts", List.of(ref(1, e1)))).exchange()
                .expectStatus().isOk().expectBody();
    }

    @Test
    void theBucketsTypeRulesApplyAtStartAndTheBytesAreSniffedAtCompletion() {
        String images = unique("images");
        createBucket(admin, images, Map.of("allowedContentTypes", List.of("image/*")));
        expectProblem(http.post().uri("/v1/buckets/{b}/multipart", images).header("X-Api-Key", admin)
                .contentType(MediaType.APPLICATION_JSON).bodyValue(Map.of("key", "a.txt", "contentType", "text/plain"))
                .exchange(), HttpStatus.UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type");
        Map<String, Object> started = http.post().uri("/v1/buckets/{b}/multipart", images).header("X-Api-Key", admin)
                .contentType(MediaType.APPLICATION_JSON).bodyValue(Map.of("key", "fake.png", "contentType", "image/png"))
                .exchange().expectStatus().isCreated().expectBody(JSON).returnResult().getResponseBody();
        String id = (String) started.get("uploadId");
        String e1 = uploadPart(images, id, 1, "%PDF-1.7 not an image at all".getBytes());

        expectProblem(http.post().uri("/v1/buckets/{b}/multipart/{id}/complete", images, id).header("X-Api-Key", admin)
                .contentType(MediaType.APPLICATION_JSON).bodyValue(Map.of("parts", List.of(ref(1, e1)))).exchange(),
                HttpStatus.UNSUPPORTED_MEDIA_TYPE, "content_type_mismatch");
        http.get().uri("/v1/buckets/{b}/multipart/{id}", images, id).header("X-Api-Key", admin).exchange()
                .expectStatus().isOk().expectBody().jsonPath("$.state").isEqualTo("failed");
        http.get().uri("/v1/buckets/{b}/objects/fake.png", images).header("X-Api-Key", admin).exchange()
                .expectStatus().isNotFound().expectBody();
    }

    // ---------------------------------------------------------------- helpers

    private String start(String key, String contentType) {
        Map<String, Object> body = new java.util.HashMap<>(Map.of("key", key));
        if (contentType != null) {
            body.put("contentType", contentType);
        }
        Map<String, Object> started = http.post().uri("/v1/buckets/{b}/multipart", bucket).header("X-Api-Key", admin)
                .contentType(MediaType.APPLICATION_JSON).bodyValue(body).exchange()
                .expectStatus().isCreated().expectBody(JSON).returnResult().getResponseBody();
        assertThat(started).containsEntry("state", "open").containsEntry("key", key);
        // "id" as every resource has, "uploadId" as S3 names it: the same value.
        assertThat(started.get("id")).isNotNull().isEqualTo(started.get("uploadId"));
        return (String) started.get("uploadId");
    }

    private String partUri(String id, int n) {
        return "/v1/buckets/" + bucket + "/multipart/" + id + "/parts/" + n;
    }

    private String putPart(String id, int n, byte[] data) {
        return uploadPart(bucket, id, n, data);
    }

    private String uploadPart(String bucketName, String id, int n, byte[] data) {
        Map<String, Object> part = http.put().uri("/v1/buckets/{b}/multipart/{id}/parts/{n}", bucketName, id, n)
                .header("X-Api-Key", admin).contentType(MediaType.APPLICATION_OCTET_STREAM).bodyValue(data).exchange()
                .expectStatus().isOk().expectHeader().valueEquals("ETag", quoted(md5(data)))
                .expectBody(JSON).returnResult().getResponseBody();
        assertThat(part).containsEntry("n", n).containsEntry("size", data.length);
        // Quoted in JSON as in the header (and as S3 answers); completion takes it as it is.
        assertThat(part.get("etag")).isEqualTo(quoted(md5(data)));
        return (String) part.get("etag");
    }

    private String sendPresigned(String id, int n, byte[] data) throws Exception {
        Map<String, Object> url = http.post().uri("/v1/buckets/{b}/multipart/{id}/parts/{n}/url", bucket, id, n)
                .header("X-Api-Key", admin).exchange().expectStatus().isOk().expectBody(JSON).returnResult().getResponseBody();
        assertThat(url).containsKeys("url", "expiresAt", "headers");
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create((String) url.get("url")))
                .PUT(HttpRequest.BodyPublishers.ofByteArray(data));
        ((Map<String, String>) url.get("headers")).forEach((name, value) -> {
            if (!name.equalsIgnoreCase("content-length") && !name.equalsIgnoreCase("host")) {
                request.header(name, value);
            }
        });
        HttpResponse<String> response = HttpClient.newHttpClient().send(request.build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return response.headers().firstValue("ETag").orElseThrow().replace("\"", "");
    }

    private WebTestClient.ResponseSpec complete(String id, List<Map<String, Object>> parts) {
        return http.post().uri("/v1/buckets/{b}/multipart/{id}/complete", bucket, id).header("X-Api-Key", admin)
                .contentType(MediaType.APPLICATION_JSON).bodyValue(Map.of("parts", parts)).exchange();
    }

    private Map<String, Object> get(String id) {
        return http.get().uri("/v1/buckets/{b}/multipart/{id}", bucket, id).header("X-Api-Key", admin).exchange()
                .expectStatus().isOk().expectBody(JSON).returnResult().getResponseBody();
    }

    private MultipartUpload record(String id) {
        return mongo.findOne(Query.query(Criteria.where("_id").is(id)), MultipartUpload.class).block();
    }

    /** What the store still holds for an upload: its listed parts, or on disk its directory's part files. */
    private List<StoredPart> storeParts(MultipartUpload upload) {
        return storeParts(upload.upload().location(), upload.storeUploadId());
    }

    private List<StoredPart> storeParts(BlobLocation target, String storeUploadId) {
        if (!store.tracksParts()) {
            Path dir = properties.dataDir().resolve("store/multipart").resolve(storeUploadId);
            return Files.exists(dir) ? List.of(new StoredPart(0, "directory still there", 0, null)) : List.of();
        }
        try {
            return store.listParts(target, storeUploadId).collectList().block();
        } catch (GranaryException gone) {
            return List.of(); // NoSuchUpload
        }
    }

    private static Map<String, Object> ref(int n, String etag) {
        return Map.of("n", n, "etag", etag);
    }

    private byte[] bytes(int size) {
        byte[] bytes = new byte[size];
        random.nextBytes(bytes);
        return bytes;
    }

    private static byte[] concat(byte[][] parts) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        for (byte[] part : parts) {
            out.writeBytes(part);
        }
        return out.toByteArray();
    }

    static String quoted(String etag) {
        return "\"" + etag + "\"";
    }

    static String md5(byte[] data) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(data));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** S3's multipart ETag, computed independently of the production code. */
    static String s3Etag(byte[][] parts) {
        try {
            MessageDigest outer = MessageDigest.getInstance("MD5");
            for (byte[] part : parts) {
                outer.update(MessageDigest.getInstance("MD5").digest(part));
            }
            return HexFormat.of().formatHex(outer.digest()) + "-" + parts.length;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
