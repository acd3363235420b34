package io.granary.s3api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.http.MediaType;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.CommonPrefix;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.ListMultipartUploadsResponse;
import software.amazon.awssdk.services.s3.model.MultipartUpload;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.NoSuchUploadException;
import software.amazon.awssdk.services.s3.model.Part;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * ListMultipartUploads and UploadPartCopy through the AWS SDK for Java v2 (synchronous client,
 * whole signed payloads): the bucket's open uploads in S3's order with prefixes, delimiters and
 * marker paging, the same uploads the REST API lists; parts copied from objects (whole, ranged,
 * across buckets) that complete like any other, and refusals that leave the parts as they were.
 */
class S3MultipartListingTest extends S3TestSupport {

    private static final int MIB = 1024 * 1024;
    private static final ParameterizedTypeReference<Map<String, Object>> JSON = new ParameterizedTypeReference<>() { };

    private String tenantId;
    private String tenantKey;
    private Credential credential;
    private S3Client s3;

    @BeforeEach
    void credential() {
        tenantId = createTenant(unique("mpl"));
        tenantKey = createKey(tenantId, List.of("admin"), null);
        credential = newCredential(tenantId);
        s3 = signedPayloadClient(credential);
    }

    @AfterEach
    void close() {
        s3.close();
    }


    @Test
    void openUploadsAreListedByKeyThenInitiationAndPageWithMarkers() {
        String bucket = unique("lu");
        s3.createBucket(b -> b.bucket(bucket));
        List<String> expected = new ArrayList<>();
        // Three uploads of one key, started one after another: S3 lists them in that order.
        for (int i = 0; i < 3; i++) {
            expected.add("a.bin " + start(bucket, "a.bin"));
        }
        String dirOne = start(bucket, "dir/one");
        String dirSub = start(bucket, "dir/sub/three");
        String dirTwo = start(bucket, "dir/two");
        String z = start(bucket, "z.bin");
        expected.addAll(List.of("dir/one " + dirOne, "dir/sub/three " + dirSub, "dir/two " + dirTwo, "z.bin " + z));
        // Ended uploads are not listed.
        String aborted = start(bucket, "gone.bin");
        s3.abortMultipartUpload(a -> a.bucket(bucket).key("gone.bin").uploadId(aborted));
        String done = start(bucket, "done.bin");
        String etag = s3.uploadPart(u -> u.bucket(bucket).key("done.bin").uploadId(done).partNumber(1),
                RequestBody.fromString("one part")).eTag();
        s3.completeMultipartUpload(c -> c.bucket(bucket).key("done.bin").uploadId(done)
                .multipartUpload(m -> m.parts(CompletedPart.builder().partNumber(1).eTag(etag).build())));

        ListMultipartUploadsResponse all = s3.listMultipartUploads(l -> l.bucket(bucket));
        assertThat(all.uploads()).extracting(u -> u.key() + " " + u.uploadId()).containsExactlyElementsOf(expected);
        assertThat(all.isTruncated()).isFalse();
        assertThat(all.maxUploads()).isEqualTo(1000);
        MultipartUpload first = all.uploads().get(0);
        assertThat(first.storageClassAsString()).isEqualTo("STANDARD");
        assertThat(first.owner().id()).isEqualTo(tenantId);
        assertThat(first.initiator().id()).isEqualTo(tenantId);
        assertThat(first.initiated()).isNotNull().isBefore(all.uploads().get(1).initiated().plusMillis(1));

        ListMultipartUploadsResponse root = s3.listMultipartUploads(l -> l.bucket(bucket).delimiter("/"));
        assertThat(root.uploads()).extracting(MultipartUpload::key).containsExactly("a.bin", "a.bin", "a.bin", "z.bin");
        assertThat(root.commonPrefixes()).extracting(CommonPrefix::prefix).containsExactly("dir/");
        ListMultipartUploadsResponse dir = s3.listMultipartUploads(l -> l.bucket(bucket).prefix("dir/").delimiter("/"));
        assertThat(dir.uploads()).extracting(MultipartUpload::key).containsExactly("dir/one", "dir/two");
        assertThat(dir.commonPrefixes()).extracting(CommonPrefix::prefix).containsExactly("dir/sub/");

        // Pages of two: the markers resume inside a key's uploads as well as between keys.
        List<String> paged = new ArrayList<>();
        String keyMarker = null;
        String uploadIdMarker = null;
        int pages = 0;
        ListMultipartUploadsResponse page;
        do {
            String k = keyMarker;
            String u = uploadIdMarker;
            page = s3.listMultipartUploads(l -> l.bucket(bucket).maxUploads(2).keyMarker(k).uploadIdMarker(u));
            page.uploads().forEach(upload -> paged.add(upload.key() + " " + upload.uploadId()));
            keyMarker = page.nextKeyMarker();
            uploadIdMarker = page.nextUploadIdMarker();
            pages++;
        } while (page.isTruncated());
        assertThat(paged).containsExactlyElementsOf(expected);
        assertThat(pages).isEqualTo(4);

        // One entry a page with a delimiter: the common prefix comes once, then the listing goes on past it.
        List<String> grouped = new ArrayList<>();
        keyMarker = null;
        uploadIdMarker = null;
        do {
            String k = keyMarker;
            String u = uploadIdMarker;
            page = s3.listMultipartUploads(l -> l.bucket(bucket).delimiter("/").maxUploads(1).keyMarker(k).uploadIdMarker(u));
            page.uploads().forEach(upload -> grouped.add(upload.key()));
            page.commonPrefixes().forEach(common -> grouped.add(common.prefix()));
            keyMarker = page.nextKeyMarker();
            uploadIdMarker = page.nextUploadIdMarker();
        } while (page.isTruncated());
        assertThat(grouped).containsExactly("a.bin", "a.bin", "a.bin", "dir/", "z.bin");

        // A key marker alone starts after every upload of that key.
        assertThat(s3.listMultipartUploads(l -> l.bucket(bucket).keyMarker("a.bin")).uploads())
                .extracting(MultipartUpload::key).containsExactly("dir/one", "dir/sub/three", "dir/two", "z.bin");
        // encoding-type=url: a '+' in a key survives only if the server encodes it (the SDK decodes).
        String plus = start(bucket, "plus/a+b c");
        ListMultipartUploadsResponse encoded = s3.listMultipartUploads(l -> l.bucket(bucket).prefix("plus/").encodingType("url"));
        assertThat(encoded.uploads()).extracting(u -> u.key() + " " + u.uploadId()).containsExactly("plus/a+b c " + plus);
    }

    @Test
    void listingUploadsNeedsWriteOnTheBucket() {
        String bucket = unique("lw");
        s3.createBucket(b -> b.bucket(bucket));
        start(bucket, "x.bin");
        Map<String, Object> issued = asRoot(http.post().uri("/v1/tenants/{t}/s3-credentials", tenantId)
                .contentType(MediaType.APPLICATION_JSON).bodyValue(Map.of("name", "reader", "permissions", List.of("read", "list"))))
                .exchange().expectStatus().isCreated().expectBody(JSON).returnResult().getResponseBody();
        try (S3Client reader = signedPayloadClient(new Credential((String) issued.get("accessKeyId"), (String) issued.get("secretAccessKey")))) {
            S3Exception denied = catchS3(() -> reader.listMultipartUploads(l -> l.bucket(bucket)));
            assertThat(denied.statusCode()).isEqualTo(403);
            assertThat(denied.awsErrorDetails().errorCode()).isEqualTo("AccessDenied");
        }
    }

    @Test
    void uploadsStartedThroughEitherApiAreListedThroughBoth() {
        String bucket = unique("lr");
        s3.createBucket(b -> b.bucket(bucket));
        String viaRest = (String) http.post().uri("/v1/buckets/{b}/multipart", bucket).header("X-Api-Key", tenantKey)
                .contentType(MediaType.APPLICATION_JSON).bodyValue(Map.of("key", "rest/one.bin"))
                .exchange().expectStatus().isCreated().expectBody(JSON).returnResult().getResponseBody().get("uploadId");
        String viaS3 = start(bucket, "s3/two.bin");

        assertThat(s3.listMultipartUploads(l -> l.bucket(bucket)).uploads()).extracting(u -> u.key() + " " + u.uploadId())
                .containsExactly("rest/one.bin " + viaRest, "s3/two.bin " + viaS3);

        Map<String, Object> firstPage = http.get().uri("/v1/buckets/{b}/multipart?limit=1", bucket).header("X-Api-Key", tenantKey)
                .exchange().expectStatus().isOk().expectBody(JSON).returnResult().getResponseBody();
        assertThat(uploadIds(firstPage)).containsExactly(viaRest);
        String cursor = (String) firstPage.get("nextCursor");
        assertThat(cursor).isNotNull();
        Map<String, Object> secondPage = http.get().uri(b -> b.path("/v1/buckets/{b}/multipart").queryParam("limit", 1)
                        .queryParam("cursor", cursor).build(bucket)).header("X-Api-Key", tenantKey)
                .exchange().expectStatus().isOk().expectBody(JSON).returnResult().getResponseBody();
        assertThat(uploadIds(secondPage)).containsExactly(viaS3);
        assertThat(secondPage.get("nextCursor")).isNull();
        Map<String, Object> grouped = http.get().uri("/v1/buckets/{b}/multipart?delimiter=/", bucket).header("X-Api-Key", tenantKey)
                .exchange().expectStatus().isOk().expectBody(JSON).returnResult().getResponseBody();
        assertThat(grouped.get("prefixes")).isEqualTo(List.of("rest/", "s3/"));
        http.get().uri("/v1/buckets/{b}/multipart?cursor=nonsense", bucket).header("X-Api-Key", tenantKey)
                .exchange().expectStatus().isBadRequest().expectBody().jsonPath("$.code").isEqualTo("invalid_cursor");

        // Completed through S3, it leaves both listings.
        String etag = s3.uploadPart(u -> u.bucket(bucket).key("rest/one.bin").uploadId(viaRest).partNumber(1),
                RequestBody.fromString("rest")).eTag();
        s3.completeMultipartUpload(c -> c.bucket(bucket).key("rest/one.bin").uploadId(viaRest)
                .multipartUpload(m -> m.parts(CompletedPart.builder().partNumber(1).eTag(etag).build())));
        assertThat(s3.listMultipartUploads(l -> l.bucket(bucket)).uploads()).extracting(MultipartUpload::uploadId)
                .containsExactly(viaS3);
        Map<String, Object> after = http.get().uri("/v1/buckets/{b}/multipart", bucket).header("X-Api-Key", tenantKey)
                .exchange().expectStatus().isOk().expectBody(JSON).returnResult().getResponseBody();
        assertThat(uploadIds(after)).containsExactly(viaS3);
    }

    @Test
    void partsCopiedFromObjectsWholeOrRangedAcrossBucketsCompleteTheUpload() throws Exception {
        String source = unique("src");
        String other = unique("oth");
        String target = unique("dst");
        for (String bucket : List.of(source, other, target)) {
            s3.createBucket(b -> b.bucket(bucket));
        }
        byte[] big = random(5 * MIB + 1000);
        byte[] small = random(1234);
        s3.putObject(p -> p.bucket(source).key("big.bin"), RequestBody.fromBytes(big));
        String smallEtag = s3.putObject(p -> p.bucket(other).key("dir/s p+x.bin"), RequestBody.fromBytes(small)).eTag();

        String uploadId = start(target, "joined.bin");
        // Part 1: the first 5 MiB of an object in another bucket (S3's minimum for a part that is not the last).
        String first = s3.uploadPartCopy(c -> c.sourceBucket(source).sourceKey("big.bin").copySourceRange("bytes=0-" + (5 * MIB - 1))
                .destinationBucket(target).destinationKey("joined.bin").uploadId(uploadId).partNumber(1)).copyPartResult().eTag();
        byte[] head = java.util.Arrays.copyOf(big, 5 * MIB);
        assertThat(first).isEqualTo("\"" + hex(md5(head)) + "\"");
        // Part 2: a whole object of a third bucket, its key with a space and a '+', under its current ETag.
        var copied = s3.uploadPartCopy(c -> c.sourceBucket(other).sourceKey("dir/s p+x.bin").copySourceIfMatch(smallEtag)
                .destinationBucket(target).destinationKey("joined.bin").uploadId(uploadId).partNumber(2)).copyPartResult();
        assertThat(copied.eTag()).isEqualTo(smallEtag);
        assertThat(copied.lastModified()).isNotNull();
        assertThat(s3.listParts(l -> l.bucket(target).key("joined.bin").uploadId(uploadId)).parts())
                .extracting(p -> p.partNumber() + " " + p.size()).containsExactly("1 " + 5 * MIB, "2 1234");

        String etag = s3.completeMultipartUpload(c -> c.bucket(target).key("joined.bin").uploadId(uploadId)
                .multipartUpload(m -> m.parts(CompletedPart.builder().partNumber(1).eTag(first).build(),
                        CompletedPart.builder().partNumber(2).eTag(copied.eTag()).build()))).eTag();
        ByteArrayOutputStream partMd5s = new ByteArrayOutputStream();
        partMd5s.write(md5(head));
        partMd5s.write(md5(small));
        assertThat(etag).isEqualTo("\"" + hex(md5(partMd5s.toByteArray())) + "-2\"");
        ByteArrayOutputStream joined = new ByteArrayOutputStream();
        joined.write(head);
        joined.write(small);
        assertThat(s3.getObjectAsBytes(g -> g.bucket(target).key("joined.bin")).asByteArray()).isEqualTo(joined.toByteArray());
    }

    @Test
    void aBadRangeAMissingSourceOrAFailedConditionStoresNothing() {
        String bucket = unique("pc");
        s3.createBucket(b -> b.bucket(bucket));
        s3.putObject(p -> p.bucket(bucket).key("ten.txt"), RequestBody.fromString("0123456789"));
        String uploadId = start(bucket, "target.bin");
        String kept = s3.uploadPart(u -> u.bucket(bucket).key("target.bin").uploadId(uploadId).partNumber(1),
                RequestBody.fromString("the first part")).eTag();

        for (String range : List.of("bytes=0-10", "bytes=5-2", "0-3", "bytes=3-", "bytes=0-1,4-5")) {
            S3Exception refused = catchS3(() -> s3.uploadPartCopy(c -> c.sourceBucket(bucket).sourceKey("ten.txt")
                    .copySourceRange(range).destinationBucket(bucket).destinationKey("target.bin").uploadId(uploadId).partNumber(1)));
            assertThat(refused.statusCode()).as(range).isEqualTo(400);
            assertThat(refused.awsErrorDetails().errorCode()).as(range).isEqualTo("InvalidArgument");
        }
        assertThatThrownBy(() -> s3.uploadPartCopy(c -> c.sourceBucket(bucket).sourceKey("missing.txt")
                .destinationBucket(bucket).destinationKey("target.bin").uploadId(uploadId).partNumber(2)))
                .isInstanceOf(NoSuchKeyException.class);
        S3Exception stale = catchS3(() -> s3.uploadPartCopy(c -> c.sourceBucket(bucket).sourceKey("ten.txt")
                .copySourceIfNoneMatch("*").destinationBucket(bucket).destinationKey("target.bin").uploadId(uploadId).partNumber(2)));
        assertThat(stale.statusCode()).isEqualTo(412);
        assertThatThrownBy(() -> s3.uploadPartCopy(c -> c.sourceBucket(bucket).sourceKey("ten.txt")
                .destinationBucket(bucket).destinationKey("target.bin").uploadId("0123456789abcdef01234567").partNumber(2)))
                .isInstanceOf(NoSuchUploadException.class);
        assertThat(s3.listParts(l -> l.bucket(bucket).key("target.bin").uploadId(uploadId)).parts())
                .extracting(Part::partNumber, Part::eTag).containsExactly(org.assertj.core.groups.Tuple.tuple(1, kept));

        // A valid range of the same object then becomes part 2.
        String ranged = s3.uploadPartCopy(c -> c.sourceBucket(bucket).sourceKey("ten.txt").copySourceRange("bytes=2-5")
                .destinationBucket(bucket).destinationKey("target.bin").uploadId(uploadId).partNumber(2)).copyPartResult().eTag();
        assertThat(ranged).isEqualTo("\"" + hex(md5("2345".getBytes(java.nio.charset.StandardCharsets.UTF_8))) + "\"");
    }

    private String start(String bucket, String key) {
        return s3.createMultipartUpload(c -> c.bucket(bucket).key(key)).uploadId();
    }

    @SuppressWarnings("unchecked")
    private static List<String> uploadIds(Map<String, Object> page) {
        return ((List<Map<String, Object>>) page.get("uploads")).stream().map(u -> (String) u.get("uploadId")).toList();
    }


    private static byte[] random(int size) {
        byte[] bytes = new byte[size];
        new Random(size).nextBytes(bytes);
        return bytes;
    }

    private static byte[] md5(byte[] bytes) throws RuntimeException {
        try {
            return MessageDigest.getInstance("MD5").digest(bytes);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String hex(byte[] bytes) {
        return HexFormat.of().formatHex(bytes);
    }
}
