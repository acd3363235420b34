package io.granary.s3api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.http.MediaType;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.ResponseBytes;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3Configuration;
import software.amazon.awssdk.services.s3.model.Bucket;
import software.amazon.awssdk.services.s3.model.BucketCannedACL;
import software.amazon.awssdk.services.s3.model.ChecksumAlgorithm;
import software.amazon.awssdk.services.s3.model.CommonPrefix;
import software.amazon.awssdk.services.s3.model.CopyObjectResponse;
import software.amazon.awssdk.services.s3.model.DeleteObjectsResponse;
import software.amazon.awssdk.services.s3.model.DeletedObject;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.ListObjectVersionsResponse;
import software.amazon.awssdk.services.s3.model.ListObjectsResponse;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Response;
import software.amazon.awssdk.services.s3.model.MetadataDirective;
import software.amazon.awssdk.services.s3.model.NoSuchBucketException;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.ObjectIdentifier;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;
import software.amazon.awssdk.services.s3.presigner.S3Presigner;

/**
 * The S3 listener driven by the AWS SDK for Java v2 (synchronous client, path style), with
 * payloads signed whole ({@code chunkedEncodingEnabled(false)}, checksums only when required,
 * so the signed-SHA-256 path is what runs; {@link AwsChunkedTest} covers the SDK's defaults):
 * the same objects as through the REST API, S3's errors, presigned URLs.
 */
class S3ApiTest extends S3TestSupport {

    private String tenantKey;
    private Credential credential;
    private String accessKeyId;
    private String secret;
    private S3Client s3;

    @BeforeEach
    void credential() {
        String tenantId = createTenant(unique("s3api"));
        tenantKey = createKey(tenantId, List.of("admin"), null);
        credential = newCredential(tenantId);
        accessKeyId = credential.accessKeyId();
        secret = credential.secret();
        s3 = signedPayloadClient(credential);
    }

    @AfterEach
    void close() {
        s3.close();
    }


    @Test
    void bucketsAndObjectsAreTheRestApisOwn() {
        String bucket = unique("b");
        s3.createBucket(b -> b.bucket(bucket));
        s3.headBucket(b -> b.bucket(bucket));
        assertThat(s3.listBuckets().buckets()).extracting(Bucket::name).contains(bucket);
        assertThat(s3.getBucketLocation(l -> l.bucket(bucket)).locationConstraintAsString()).isEmpty(); // us-east-1
        assertThat(s3.getBucketVersioning(v -> v.bucket(bucket)).status()).isNull(); // never enabled

        String put = s3.putObject(p -> p.bucket(bucket).key("docs/a b+c.txt").contentType("text/plain")
                .metadata(Map.of("Owner", "ann")), RequestBody.fromString("hello, s3")).eTag();
        ResponseBytes<GetObjectResponse> got = s3.getObjectAsBytes(g -> g.bucket(bucket).key("docs/a b+c.txt"));
        assertThat(got.asUtf8String()).isEqualTo("hello, s3");
        assertThat(got.response().eTag()).isEqualTo(put).isEqualTo("\"" + md5Hex("hello, s3") + "\"");
        assertThat(got.response().contentType()).startsWith("text/plain");
        assertThat(got.response().metadata()).containsEntry("owner", "ann");

        // The same object through REST: key, bytes, ETag and metadata.
        http.get().uri(URI.create("http://127.0.0.1:" + port + "/v1/buckets/" + bucket + "/objects/docs/a%20b+c.txt"))
                .header("X-Api-Key", tenantKey).exchange()
                .expectStatus().isOk().expectHeader().valueEquals("ETag", put).expectHeader().valueEquals("X-Meta-owner", "ann")
                .expectBody(String.class).isEqualTo("hello, s3");
        // And one written through REST, read through S3.
        http.put().uri("/v1/buckets/{b}/objects/docs/rest.json", bucket).header("X-Api-Key", tenantKey)
                .header("X-Meta-source", "rest").contentType(MediaType.APPLICATION_JSON).bodyValue("{\"a\":1}")
                .exchange().expectStatus().isOk().expectBody(); // consumed, so its buffers are released
        HeadObjectResponse head = s3.headObject(h -> h.bucket(bucket).key("docs/rest.json"));
        assertThat(head.contentLength()).isEqualTo(7);
        assertThat(head.metadata()).containsEntry("source", "rest");
        assertThat(s3.getObjectAsBytes(g -> g.bucket(bucket).key("docs/rest.json").range("bytes=1-3")).asUtf8String())
                .isEqualTo("\"a\"");

        s3.deleteObject(d -> d.bucket(bucket).key("docs/rest.json"));
        s3.deleteObject(d -> d.bucket(bucket).key("docs/never-existed")); // S3 answers 204 alike
        assertThatThrownBy(() -> s3.headObject(h -> h.bucket(bucket).key("docs/rest.json"))).isInstanceOf(NoSuchKeyException.class);
        s3.deleteObject(d -> d.bucket(bucket).key("docs/a b+c.txt"));
        s3.deleteBucket(d -> d.bucket(bucket));
        assertThatThrownBy(() -> s3.headBucket(b -> b.bucket(bucket))).isInstanceOf(NoSuchBucketException.class);
    }

    @Test
    void listingsPageWithTokensMarkersAndDelimiters() {
        String bucket = unique("l");
        s3.createBucket(b -> b.bucket(bucket));
        for (String key : List.of("a.txt", "dir/one", "dir/two", "dir/sub/three", "z.txt")) {
            s3.putObject(p -> p.bucket(bucket).key(key), RequestBody.fromString(key));
        }
        ListObjectsV2Response root = s3.listObjectsV2(l -> l.bucket(bucket).delimiter("/"));
        assertThat(root.contents()).extracting(S3Object::key).containsExactly("a.txt", "z.txt");
        assertThat(root.commonPrefixes()).extracting(CommonPrefix::prefix).containsExactly("dir/");
        assertThat(root.keyCount()).isEqualTo(3);

        List<String> paged = new java.util.ArrayList<>();
        String token = null;
        do {
            String current = token;
            ListObjectsV2Response page = s3.listObjectsV2(l -> l.bucket(bucket).maxKeys(2).continuationToken(current));
            page.contents().forEach(object -> paged.add(object.key()));
            token = page.isTruncated() ? page.nextContinuationToken() : null;
        } while (token != null);
        assertThat(paged).containsExactly("a.txt", "dir/one", "dir/sub/three", "dir/two", "z.txt");
        assertThat(s3.listObjectsV2(l -> l.bucket(bucket).startAfter("dir/sub/three")).contents())
                .extracting(S3Object::key).containsExactly("dir/two", "z.txt");
        assertThat(s3.listObjectsV2(l -> l.bucket(bucket).prefix("dir/").encodingType("url")).contents())
                .extracting(S3Object::key).containsExactly("dir/one", "dir/sub/three", "dir/two");

        ListObjectsResponse v1 = s3.listObjects(l -> l.bucket(bucket).marker("dir/one").maxKeys(2));
        assertThat(v1.contents()).extracting(S3Object::key).containsExactly("dir/sub/three", "dir/two");
        assertThat(v1.isTruncated()).isTrue();
        assertThat(s3.listObjectsV2(l -> l.bucket(bucket).maxKeys(0)).contents()).isEmpty();
        // A page that ends on a common prefix names it as NextMarker; the next starts after the whole group.
        List<String> grouped = new java.util.ArrayList<>();
        String marker = null;
        for (int pages = 0; pages < 10; pages++) {
            String current = marker;
            ListObjectsResponse page = s3.listObjects(l -> l.bucket(bucket).delimiter("/").maxKeys(1).marker(current));
            page.contents().forEach(object -> grouped.add(object.key()));
            page.commonPrefixes().forEach(common -> grouped.add(common.prefix()));
            marker = page.isTruncated() ? page.nextMarker() : null;
            if (marker == null) {
                break;
            }
        }
        assertThat(grouped).containsExactly("a.txt", "dir/", "z.txt");
        ListObjectsV2Response afterGroup = s3.listObjectsV2(l -> l.bucket(bucket).delimiter("/").startAfter("dir/"));
        assertThat(afterGroup.contents()).extracting(S3Object::key).containsExactly("z.txt");
        assertThat(afterGroup.commonPrefixes()).isEmpty();

        // encoding-type=url: a '+' in a key survives only if the server encodes it (the SDK decodes).
        s3.putObject(p -> p.bucket(bucket).key("plus/a+b"), RequestBody.fromString("+"));
        ListObjectsV2Response encoded = s3.listObjectsV2(l -> l.bucket(bucket).prefix("plus/").encodingType("url").fetchOwner(true));
        assertThat(encoded.contents()).extracting(S3Object::key).containsExactly("plus/a+b");
        assertThat(encoded.contents().get(0).owner()).isNotNull();
        assertThat(s3.listObjectsV2(l -> l.bucket(bucket).prefix("plus/")).contents().get(0).owner()).isNull();
        s3.deleteObject(d -> d.bucket(bucket).key("plus/a+b"));

        ListObjectVersionsResponse versions = s3.listObjectVersions(l -> l.bucket(bucket).keyMarker("dir/one").maxKeys(2));
        assertThat(versions.versions()).extracting(v -> v.key() + "@" + v.versionId() + (v.isLatest() ? " latest" : ""))
                .containsExactly("dir/sub/three@null latest", "dir/two@null latest");
        assertThat(versions.isTruncated()).isTrue();
        assertThat(versions.nextKeyMarker()).isEqualTo("dir/two");
    }

    @Test
    void failuresAreS3ErrorsAndNothingIsStored() throws Exception {
        String bucket = unique("e");
        s3.createBucket(b -> b.bucket(bucket));
        assertThatThrownBy(() -> s3.getObject(g -> g.bucket(bucket).key("missing"))).isInstanceOf(NoSuchKeyException.class);
        assertThatThrownBy(() -> s3.listObjectsV2(l -> l.bucket(unique("nobody")))).isInstanceOf(NoSuchBucketException.class);

        // Another tenant's credential: the same bucket name does not exist for it.
        S3Exception notMine;
        try (S3Client other = signedPayloadClient(newCredential())) {
            notMine = (S3Exception) catchS3(() -> other.headBucket(b -> b.bucket(bucket)));
        }
        assertThat(notMine.statusCode()).isEqualTo(404);

        try (S3Client wrongSecret = signedPayloadClient(new Credential(accessKeyId, secret.substring(1) + "x"))) {
            S3Exception refused = (S3Exception) catchS3(() -> wrongSecret.putObject(p -> p.bucket(bucket).key("k"),
                    RequestBody.fromString("never stored")));
            assertThat(refused.statusCode()).isEqualTo(403);
            assertThat(refused.awsErrorDetails().errorCode()).isEqualTo("SignatureDoesNotMatch");
        }
        assertThatThrownBy(() -> s3.headObject(h -> h.bucket(bucket).key("k"))).isInstanceOf(NoSuchKeyException.class);

        S3Exception unsupported = (S3Exception) catchS3(() -> s3.getBucketLifecycleConfiguration(a -> a.bucket(bucket)));
        assertThat(unsupported.statusCode()).isEqualTo(501);
        assertThat(unsupported.awsErrorDetails().errorCode()).isEqualTo("NotImplemented");

        // The raw answers: what was compared, and SigV2 refused by name.
        HttpClient raw = HttpClient.newHttpClient();
        HttpResponse<String> v2 = raw.send(HttpRequest.newBuilder(URI.create(endpoint() + "/" + bucket))
                .header("Authorization", "AWS " + accessKeyId + ":c2lnbmF0dXJl").GET().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(v2.statusCode()).isEqualTo(400);
        assertThat(v2.body()).contains("<Code>InvalidRequest</Code>").contains("Signature Version 2");
        assertThat(v2.headers().firstValue("x-amz-request-id")).isPresent();
    }

    @Test
    void aSignatureMismatchShowsWhatWasComparedAndABodyNotMatchingItsHashIsNotStored() throws Exception {
        String bucket = unique("m");
        s3.createBucket(b -> b.bucket(bucket));
        HttpClient raw = HttpClient.newHttpClient();
        String when = java.time.format.DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'")
                .format(java.time.ZonedDateTime.now(java.time.ZoneOffset.UTC));
        String hashOfOther = sha256Hex("other body");
        String path = "/" + bucket + "/tampered";
        String canonical = "PUT\n" + path + "\n\nhost:127.0.0.1:" + listener.port() + "\nx-amz-content-sha256:" + hashOfOther
                + "\nx-amz-date:" + when + "\n\nhost;x-amz-content-sha256;x-amz-date\n" + hashOfOther;
        String scope = when.substring(0, 8) + "/us-east-1/s3/aws4_request";
        String signature = SigV4.signature(secret, when.substring(0, 8), "us-east-1", "s3",
                SigV4.stringToSign(when, scope, canonical));
        HttpResponse<String> mismatch = raw.send(HttpRequest.newBuilder(URI.create(endpoint() + path))
                .header("x-amz-date", when).header("x-amz-content-sha256", hashOfOther)
                .header("Authorization", "AWS4-HMAC-SHA256 Credential=" + accessKeyId + "/" + scope
                        + ", SignedHeaders=host;x-amz-content-sha256;x-amz-date, Signature=" + signature)
                .PUT(HttpRequest.BodyPublishers.ofString("this body")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(mismatch.statusCode()).as(mismatch.body()).isEqualTo(400);
        assertThat(mismatch.body()).contains("<Code>XAmzContentSHA256Mismatch</Code>");
        assertThatThrownBy(() -> s3.headObject(h -> h.bucket(bucket).key("tampered"))).isInstanceOf(NoSuchKeyException.class);

        HttpResponse<String> forged = raw.send(HttpRequest.newBuilder(URI.create(endpoint() + path))
                .header("x-amz-date", when).header("x-amz-content-sha256", hashOfOther)
                .header("Authorization", "AWS4-HMAC-SHA256 Credential=" + accessKeyId + "/" + scope
                        + ", SignedHeaders=host;x-amz-content-sha256;x-amz-date, Signature=" + "0".repeat(64))
                .PUT(HttpRequest.BodyPublishers.ofString("other body")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(forged.statusCode()).isEqualTo(403);
        assertThat(forged.body()).contains("<Code>SignatureDoesNotMatch</Code>")
                .contains("<CanonicalRequest>" + canonical.replace("\n", "\n") + "</CanonicalRequest>")
                .contains("<StringToSign>AWS4-HMAC-SHA256\n" + when + "\n" + scope + "\n");
        assertThatThrownBy(() -> s3.headObject(h -> h.bucket(bucket).key("tampered"))).isInstanceOf(NoSuchKeyException.class);
    }

    @Test
    void presignedUrlsWorkUntilTheyExpire() throws Exception {
        String bucket = unique("p");
        s3.createBucket(b -> b.bucket(bucket));
        s3.putObject(p -> p.bucket(bucket).key("shared.txt"), RequestBody.fromString("shared bytes"));
        try (S3Presigner presigner = S3Presigner.builder().endpointOverride(URI.create(endpoint())).region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(accessKeyId, secret)))
                .serviceConfiguration(S3Configuration.builder().pathStyleAccessEnabled(true).build()).build()) {
            URI get = presigner.presignGetObject(r -> r.signatureDuration(Duration.ofMinutes(5))
                    .getObjectRequest(g -> g.bucket(bucket).key("shared.txt"))).url().toURI();
            HttpClient raw = HttpClient.newHttpClient();
            HttpResponse<String> fetched = raw.send(HttpRequest.newBuilder(get).GET().build(), HttpResponse.BodyHandlers.ofString());
            assertThat(fetched.statusCode()).isEqualTo(200);
            assertThat(fetched.body()).isEqualTo("shared bytes");

            URI put = presigner.presignPutObject(r -> r.signatureDuration(Duration.ofMinutes(5))
                    .putObjectRequest(p -> p.bucket(bucket).key("uploaded.txt"))).url().toURI();
            HttpResponse<String> uploaded = raw.send(HttpRequest.newBuilder(put)
                    .PUT(HttpRequest.BodyPublishers.ofString("via presigned put")).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(uploaded.statusCode()).as(uploaded.body()).isEqualTo(200);
            assertThat(s3.getObjectAsBytes(g -> g.bucket(bucket).key("uploaded.txt")).asUtf8String()).isEqualTo("via presigned put");

            URI shortLived = presigner.presignGetObject(r -> r.signatureDuration(Duration.ofSeconds(1))
                    .getObjectRequest(g -> g.bucket(bucket).key("shared.txt"))).url().toURI();
            Thread.sleep(2100);
            HttpResponse<String> expired = raw.send(HttpRequest.newBuilder(shortLived).GET().build(), HttpResponse.BodyHandlers.ofString());
            assertThat(expired.statusCode()).isEqualTo(403);
            assertThat(expired.body()).contains("<Code>AccessDenied</Code>").contains("expired");
        }
    }

    @Test
    void deleteObjectsDeletesUpToAThousandKeysAndRefusesBrokenRequests() throws Exception {
        String bucket = unique("d");
        s3.createBucket(b -> b.bucket(bucket));
        for (String key : List.of("one", "two", "keep")) {
            s3.putObject(p -> p.bucket(bucket).key(key), RequestBody.fromString(key));
        }
        DeleteObjectsResponse deleted = s3.deleteObjects(d -> d.bucket(bucket).delete(x -> x.objects(
                ObjectIdentifier.builder().key("one").build(), ObjectIdentifier.builder().key("two").build(),
                ObjectIdentifier.builder().key("never-was").build())));
        assertThat(deleted.deleted()).extracting(DeletedObject::key).containsExactlyInAnyOrder("one", "two", "never-was");
        assertThat(deleted.errors()).isEmpty();
        assertThat(s3.listObjectsV2(l -> l.bucket(bucket)).contents()).extracting(S3Object::key).containsExactly("keep");
        DeleteObjectsResponse quiet = s3.deleteObjects(d -> d.bucket(bucket).delete(x -> x.quiet(true)
                .objects(ObjectIdentifier.builder().key("keep").build())));
        assertThat(quiet.deleted()).isEmpty();
        assertThat(s3.listObjectsV2(l -> l.bucket(bucket)).contents()).isEmpty();

        s3.putObject(p -> p.bucket(bucket).key("still-here"), RequestBody.fromString("x"));
        byte[] malformed = "<Delete><Object><Key>still-here</Key></Object>".getBytes(StandardCharsets.UTF_8);
        HttpResponse<String> broken = signedRaw(credential, "POST", "/" + bucket, "delete=",
                Map.of("Content-MD5", java.util.Base64.getEncoder().encodeToString(
                        java.security.MessageDigest.getInstance("MD5").digest(malformed))), malformed);
        assertThat(broken.statusCode()).as(broken.body()).isEqualTo(400);
        assertThat(broken.body()).contains("<Code>MalformedXML</Code>");
        byte[] valid = "<Delete><Object><Key>still-here</Key></Object></Delete>".getBytes(StandardCharsets.UTF_8);
        HttpResponse<String> unchecked = signedRaw(credential, "POST", "/" + bucket, "delete=", Map.of(), valid);
        assertThat(unchecked.statusCode()).isEqualTo(400);
        assertThat(unchecked.body()).contains("<Code>InvalidRequest</Code>").contains("Content-MD5");
        HttpResponse<String> wrongSum = signedRaw(credential, "POST", "/" + bucket, "delete=",
                Map.of("x-amz-checksum-crc32", "AAAAAA=="), valid);
        assertThat(wrongSum.statusCode()).isEqualTo(400);
        assertThat(wrongSum.body()).contains("<Code>BadDigest</Code>");
        assertThat(s3.headObject(h -> h.bucket(bucket).key("still-here")).contentLength()).isEqualTo(1);
    }

    @Test
    void copyObjectCopiesBetweenBucketsAndReplacesMetadataInPlace() {
        String bucket = unique("cp");
        String other = unique("cp2");
        s3.createBucket(b -> b.bucket(bucket));
        s3.createBucket(b -> b.bucket(other));
        String etag = s3.putObject(p -> p.bucket(bucket).key("src/a b.txt").contentType("text/plain").metadata(Map.of("k", "v")),
                RequestBody.fromString("copy me")).eTag();

        CopyObjectResponse copied = s3.copyObject(c -> c.sourceBucket(bucket).sourceKey("src/a b.txt")
                .destinationBucket(other).destinationKey("dst/a b.txt"));
        assertThat(copied.copyObjectResult().eTag()).isEqualTo(etag);
        HeadObjectResponse head = s3.headObject(h -> h.bucket(other).key("dst/a b.txt"));
        assertThat(head.metadata()).containsEntry("k", "v");
        assertThat(s3.getObjectAsBytes(g -> g.bucket(other).key("dst/a b.txt")).asUtf8String()).isEqualTo("copy me");

        s3.copyObject(c -> c.sourceBucket(bucket).sourceKey("src/a b.txt").destinationBucket(bucket).destinationKey("src/a b.txt")
                .metadataDirective("REPLACE").contentType("text/markdown").metadata(Map.of("state", "reviewed")));
        HeadObjectResponse replaced = s3.headObject(h -> h.bucket(bucket).key("src/a b.txt"));
        assertThat(replaced.metadata()).containsExactly(Map.entry("state", "reviewed"));
        assertThat(replaced.contentType()).startsWith("text/markdown");
        assertThat(replaced.eTag()).isEqualTo(etag);

        S3Exception ontoItself = (S3Exception) catchS3(() -> s3.copyObject(c -> c.sourceBucket(bucket).sourceKey("src/a b.txt")
                .destinationBucket(bucket).destinationKey("src/a b.txt")));
        assertThat(ontoItself.statusCode()).isEqualTo(400);
        S3Exception stale = (S3Exception) catchS3(() -> s3.copyObject(c -> c.sourceBucket(bucket).sourceKey("src/a b.txt")
                .copySourceIfMatch("\"0000\"").destinationBucket(bucket).destinationKey("never")));
        assertThat(stale.statusCode()).isEqualTo(412);
        assertThatThrownBy(() -> s3.headObject(h -> h.bucket(bucket).key("never"))).isInstanceOf(NoSuchKeyException.class);
        // A REPLACE whose new attributes are refused copies nothing.
        S3Exception badAttributes = catchS3(() -> s3.copyObject(c -> c.sourceBucket(bucket).sourceKey("src/a b.txt")
                .destinationBucket(bucket).destinationKey("never").metadataDirective(MetadataDirective.REPLACE)
                .cacheControl("x".repeat(2000))));
        assertThat(badAttributes.statusCode()).isEqualTo(400);
        assertThatThrownBy(() -> s3.headObject(h -> h.bucket(bucket).key("never"))).isInstanceOf(NoSuchKeyException.class);
        assertThatThrownBy(() -> s3.copyObject(c -> c.sourceBucket(bucket).sourceKey("missing")
                .destinationBucket(bucket).destinationKey("x"))).isInstanceOf(NoSuchKeyException.class);
    }

    @Test
    void aPartWhoseBodyDoesNotMatchItsSignedHashIsNotRecorded() throws Exception {
        String bucket = unique("mp");
        s3.createBucket(b -> b.bucket(bucket));
        String uploadId = s3.createMultipartUpload(c -> c.bucket(bucket).key("parts.bin")).uploadId();
        String etag = s3.uploadPart(u -> u.bucket(bucket).key("parts.bin").uploadId(uploadId).partNumber(1),
                RequestBody.fromString("the only part")).eTag(); // a whole payload, its SHA-256 signed

        byte[] claimed = "what was signed".getBytes(StandardCharsets.UTF_8);
        HttpResponse<String> tampered = signedRaw(credential, "PUT", "/" + bucket + "/parts.bin", "partNumber=2&uploadId=" + uploadId, Map.of(),
                "what was sent!!".getBytes(StandardCharsets.UTF_8), sha256Hex(new String(claimed, StandardCharsets.UTF_8)));
        assertThat(tampered.statusCode()).as(tampered.body()).isEqualTo(400);
        assertThat(tampered.body()).contains("<Code>XAmzContentSHA256Mismatch</Code>");
        assertThat(s3.listParts(l -> l.bucket(bucket).key("parts.bin").uploadId(uploadId)).parts())
                .extracting(part -> part.partNumber()).containsExactly(1);

        s3.completeMultipartUpload(c -> c.bucket(bucket).key("parts.bin").uploadId(uploadId)
                .multipartUpload(m -> m.parts(software.amazon.awssdk.services.s3.model.CompletedPart.builder()
                        .partNumber(1).eTag(etag).build())));
        assertThat(s3.getObjectAsBytes(g -> g.bucket(bucket).key("parts.bin")).asUtf8String()).isEqualTo("the only part");
    }

    @Test
    void aclsFollowTheBucketsVisibilityAndThereIsNoBucketPolicy() {
        String closed = unique("acl");
        String open = unique("pub");
        s3.createBucket(b -> b.bucket(closed));
        s3.createBucket(b -> b.bucket(open).acl(BucketCannedACL.PUBLIC_READ));
        s3.putObject(p -> p.bucket(open).key("page.html"), RequestBody.fromString("<p>hi</p>"));
        assertThat(s3.getBucketAcl(a -> a.bucket(closed)).grants()).extracting(grant -> grant.permissionAsString())
                .containsExactly("FULL_CONTROL");
        assertThat(s3.getBucketAcl(a -> a.bucket(open)).grants()).extracting(grant -> grant.permissionAsString()
                + (grant.grantee().uri() == null ? "" : " " + grant.grantee().uri()))
                .containsExactly("FULL_CONTROL", "READ http://acs.amazonaws.com/groups/global/AllUsers");
        assertThat(s3.getObjectAcl(a -> a.bucket(open).key("page.html")).grants()).hasSize(2);
        http.get().uri("/v1/buckets/{b}", open).header("X-Api-Key", tenantKey).exchange().expectStatus().isOk()
                .expectBody().jsonPath("$.visibility").isEqualTo("public");
        S3Exception policy = (S3Exception) catchS3(() -> s3.getBucketPolicy(p -> p.bucket(closed)));
        assertThat(policy.statusCode()).isEqualTo(404);
        assertThat(policy.awsErrorDetails().errorCode()).isEqualTo("NoSuchBucketPolicy");
        S3Exception unsupportedAcl = (S3Exception) catchS3(() -> s3.createBucket(b -> b.bucket(unique("x"))
                .acl(BucketCannedACL.AUTHENTICATED_READ)));
        assertThat(unsupportedAcl.statusCode()).isEqualTo(501);
    }

    @Test
    void aChecksumHeaderWithAWholeBodyIsCheckedBeforeAnythingIsStored() throws Exception {
        String bucket = unique("ck");
        s3.createBucket(b -> b.bucket(bucket));
        s3.putObject(p -> p.bucket(bucket).key("summed").checksumAlgorithm(ChecksumAlgorithm.CRC32_C),
                RequestBody.fromString("checked by crc32c"));
        assertThat(s3.getObjectAsBytes(g -> g.bucket(bucket).key("summed")).asUtf8String()).isEqualTo("checked by crc32c");

        HttpResponse<String> wrong = signedRaw(credential, "PUT", "/" + bucket + "/wrong", "",
                Map.of("x-amz-checksum-crc32", "AAAAAA=="), "some bytes".getBytes(StandardCharsets.UTF_8));
        assertThat(wrong.statusCode()).as(wrong.body()).isEqualTo(400);
        assertThat(wrong.body()).contains("<Code>BadDigest</Code>").contains("x-amz-checksum-crc32");
        assertThatThrownBy(() -> s3.headObject(h -> h.bucket(bucket).key("wrong"))).isInstanceOf(NoSuchKeyException.class);
    }





    private static String md5Hex(String text) {
        return digestHex("MD5", text);
    }

    private static String sha256Hex(String text) {
        return digestHex("SHA-256", text);
    }

    private static String digestHex(String algorithm, String text) {
        try {
            return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance(algorithm)
                    .digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
