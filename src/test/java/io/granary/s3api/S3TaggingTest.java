package io.granary.s3api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3Configuration;
import software.amazon.awssdk.services.s3.model.BucketCannedACL;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.Tag;

/**
 * Object tags through the S3 API (the {@code x-amz-tagging} header on PutObject,
 * CreateMultipartUpload and CopyObject; Get/Put/DeleteObjectTagging; {@code x-amz-tagging-count})
 * and through the REST API ({@code tags} in the object's JSON, set by PATCH): one tag set, S3's
 * rules, refusals that change nothing, and tag changes that leave bytes, ETag, version and
 * last-modified time alone.
 */
class S3TaggingTest extends S3TestSupport {

    private String tenantName;
    private String tenantId;
    private String tenantKey;
    private Credential credential;
    private S3Client s3;
    private String bucket;

    @BeforeEach
    void credential() {
        tenantName = unique("tags");
        tenantId = createTenant(tenantName);
        tenantKey = createKey(tenantId, List.of("admin"), null);
        credential = newCredential(tenantId);
        s3 = client(credential);
        bucket = unique("t");
        s3.createBucket(b -> b.bucket(bucket));
    }

    @AfterEach
    void close() {
        s3.close();
    }

    @Test
    void tagsArePutWithTheObjectReadReplacedAndDeletedWithoutTouchingIt() {
        s3.putObject(p -> p.bucket(bucket).key("a.txt").contentType("text/plain")
                .tagging("project=granary&team=blue%20sky&empty="), RequestBody.fromString("tagged"));
        assertThat(tags("a.txt")).containsExactly(Map.entry("empty", ""), Map.entry("project", "granary"),
                Map.entry("team", "blue sky"));
        GetObjectResponse got = s3.getObjectAsBytes(g -> g.bucket(bucket).key("a.txt")).response();
        assertThat(got.tagCount()).isEqualTo(3);
        HeadObjectResponse before = s3.headObject(h -> h.bucket(bucket).key("a.txt"));
        String versionBefore = restObject("a.txt").get("versionId").toString();

        s3.putObjectTagging(p -> p.bucket(bucket).key("a.txt").tagging(t -> t.tagSet(
                Tag.builder().key("Stage").value("reviewed: 2026/11 @ann +1 =ok").build(),
                Tag.builder().key("größe").value("äöü 東京").build())));
        assertThat(tags("a.txt")).containsExactly(Map.entry("Stage", "reviewed: 2026/11 @ann +1 =ok"),
                Map.entry("größe", "äöü 東京"));
        HeadObjectResponse after = s3.headObject(h -> h.bucket(bucket).key("a.txt"));
        assertThat(after.eTag()).isEqualTo(before.eTag());
        assertThat(after.lastModified()).isEqualTo(before.lastModified());
        assertThat(restObject("a.txt").get("versionId")).isEqualTo(versionBefore);
        assertThat(s3.getObjectAsBytes(g -> g.bucket(bucket).key("a.txt")).asUtf8String()).isEqualTo("tagged");

        s3.deleteObjectTagging(d -> d.bucket(bucket).key("a.txt"));
        assertThat(tags("a.txt")).isEmpty();
        assertThat(s3.getObjectAsBytes(g -> g.bucket(bucket).key("a.txt")).response().tagCount()).isNull();
        assertThat(s3.headObject(h -> h.bucket(bucket).key("a.txt")).lastModified()).isEqualTo(before.lastModified());
    }

    @Test
    void invalidTagsAreInvalidTagAndChangeNothing() {
        s3.putObject(p -> p.bucket(bucket).key("k").tagging("keep=me"), RequestBody.fromString("x"));
        List<Tag> eleven = new ArrayList<>();
        for (int i = 0; i < 11; i++) {
            eleven.add(Tag.builder().key("k" + i).value("v").build());
        }
        List<List<Tag>> refused = List.of(eleven,
                List.of(Tag.builder().key("k".repeat(129)).value("v").build()),
                List.of(Tag.builder().key("ok").value("v".repeat(257)).build()),
                List.of(Tag.builder().key("a#b").value("v").build()),
                List.of(Tag.builder().key("ok").value("semi;colon").build()),
                List.of(Tag.builder().key("aws:owner").value("v").build()),
                List.of(Tag.builder().key("twice").value("1").build(), Tag.builder().key("twice").value("2").build()));
        for (List<Tag> set : refused) {
            S3Exception error = catchS3(() -> s3.putObjectTagging(p -> p.bucket(bucket).key("k").tagging(t -> t.tagSet(set))));
            assertThat(error.statusCode()).isEqualTo(400);
            assertThat(error.awsErrorDetails().errorCode()).as(set.toString()).isEqualTo("InvalidTag");
        }
        assertThat(tags("k")).containsExactly(Map.entry("keep", "me"));

        // The longest allowed key and value, and ten tags, are fine.
        List<Tag> ten = new ArrayList<>(eleven.subList(0, 9));
        ten.add(Tag.builder().key("k".repeat(128)).value("v".repeat(256)).build());
        s3.putObjectTagging(p -> p.bucket(bucket).key("k").tagging(t -> t.tagSet(ten)));
        assertThat(tags("k")).hasSize(10);

        // A PutObject with invalid tags stores nothing.
        S3Exception onPut = catchS3(() -> s3.putObject(p -> p.bucket(bucket).key("new").tagging("a%23b=v"),
                RequestBody.fromString("x")));
        assertThat(onPut.awsErrorDetails().errorCode()).isEqualTo("InvalidTag");
        S3Exception badEncoding = catchS3(() -> s3.putObject(p -> p.bucket(bucket).key("new").tagging("a=%zz"),
                RequestBody.fromString("x")));
        assertThat(badEncoding.awsErrorDetails().errorCode()).isEqualTo("InvalidTag");
        assertThatThrownBy(() -> s3.headObject(h -> h.bucket(bucket).key("new"))).isInstanceOf(NoSuchKeyException.class);
    }

    @Test
    void anOverwriteHasOnlyTheTagsSentWithItAndMissingKeysAreNoSuchKey() {
        s3.putObject(p -> p.bucket(bucket).key("o").tagging("old=1"), RequestBody.fromString("one"));
        s3.putObject(p -> p.bucket(bucket).key("o"), RequestBody.fromString("two"));
        assertThat(tags("o")).isEmpty();
        s3.putObject(p -> p.bucket(bucket).key("o").tagging("new=2"), RequestBody.fromString("three"));
        assertThat(tags("o")).containsExactly(Map.entry("new", "2"));
        // A REST overwrite sends no tags: the new version has none.
        http.put().uri("/v1/buckets/{b}/objects/o", bucket).header("X-Api-Key", tenantKey).contentType(MediaType.TEXT_PLAIN)
                .bodyValue("four").exchange().expectStatus().isOk().expectBody().jsonPath("$.tags").isEmpty();
        assertThat(tags("o")).isEmpty();

        assertThatThrownBy(() -> s3.getObjectTagging(g -> g.bucket(bucket).key("missing"))).isInstanceOf(NoSuchKeyException.class);
        assertThatThrownBy(() -> s3.putObjectTagging(p -> p.bucket(bucket).key("missing")
                .tagging(t -> t.tagSet(Tag.builder().key("a").value("b").build())))).isInstanceOf(NoSuchKeyException.class);
        assertThatThrownBy(() -> s3.deleteObjectTagging(d -> d.bucket(bucket).key("missing"))).isInstanceOf(NoSuchKeyException.class);
        assertThatThrownBy(() -> s3.headObject(h -> h.bucket(bucket).key("missing"))).isInstanceOf(NoSuchKeyException.class);
    }

    @Test
    void copiesKeepTheSourcesTagsOrReplaceThem() {
        String other = unique("t2");
        s3.createBucket(b -> b.bucket(other));
        s3.putObject(p -> p.bucket(bucket).key("src").tagging("from=source"), RequestBody.fromString("copy me"));

        s3.copyObject(c -> c.sourceBucket(bucket).sourceKey("src").destinationBucket(other).destinationKey("kept"));
        assertThat(tags(other, "kept")).containsExactly(Map.entry("from", "source"));
        s3.copyObject(c -> c.sourceBucket(bucket).sourceKey("src").destinationBucket(other).destinationKey("replaced")
                .taggingDirective("REPLACE").tagging("to=target&n=2"));
        assertThat(tags(other, "replaced")).containsExactly(Map.entry("n", "2"), Map.entry("to", "target"));
        s3.copyObject(c -> c.sourceBucket(bucket).sourceKey("src").destinationBucket(other).destinationKey("none")
                .taggingDirective("REPLACE"));
        assertThat(tags(other, "none")).isEmpty();
        // Both directives: the metadata and the tags come from the request.
        s3.copyObject(c -> c.sourceBucket(bucket).sourceKey("src").destinationBucket(other).destinationKey("both")
                .metadataDirective("REPLACE").metadata(Map.of("m", "1")).taggingDirective("REPLACE").tagging("t=1"));
        assertThat(tags(other, "both")).containsExactly(Map.entry("t", "1"));
        assertThat(s3.headObject(h -> h.bucket(other).key("both")).metadata()).containsExactly(Map.entry("m", "1"));

        // Onto itself (metadata REPLACE): the tags stay, unless they are replaced too.
        s3.copyObject(c -> c.sourceBucket(bucket).sourceKey("src").destinationBucket(bucket).destinationKey("src")
                .metadataDirective("REPLACE").metadata(Map.of("state", "reviewed")));
        assertThat(tags("src")).containsExactly(Map.entry("from", "source"));
        s3.copyObject(c -> c.sourceBucket(bucket).sourceKey("src").destinationBucket(bucket).destinationKey("src")
                .metadataDirective("REPLACE").taggingDirective("REPLACE").tagging("in=place"));
        assertThat(tags("src")).containsExactly(Map.entry("in", "place"));

        S3Exception bad = catchS3(() -> s3.copyObject(c -> c.sourceBucket(bucket).sourceKey("src").destinationBucket(other)
                .destinationKey("bad").taggingDirective("REPLACE").tagging("aws:x=1")));
        assertThat(bad.awsErrorDetails().errorCode()).isEqualTo("InvalidTag");
        assertThatThrownBy(() -> s3.headObject(h -> h.bucket(other).key("bad"))).isInstanceOf(NoSuchKeyException.class);

        // A REST copy keeps the source's tags, as metadata.
        http.post().uri("/v1/buckets/{b}/copy", other).header("X-Api-Key", tenantKey).contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Map.of("sourceBucket", bucket, "sourceKey", "src", "key", "rest-copy")).exchange()
                .expectStatus().isOk().expectBody().jsonPath("$.tags.in").isEqualTo("place");
    }

    @Test
    void multipartUploadsCarryTheirTagsToTheObject() {
        String id = s3.createMultipartUpload(c -> c.bucket(bucket).key("big").tagging("kind=multipart")).uploadId();
        String etag = s3.uploadPart(u -> u.bucket(bucket).key("big").uploadId(id).partNumber(1),
                RequestBody.fromString("only part")).eTag();
        s3.completeMultipartUpload(c -> c.bucket(bucket).key("big").uploadId(id)
                .multipartUpload(m -> m.parts(CompletedPart.builder().partNumber(1).eTag(etag).build())));
        assertThat(tags("big")).containsExactly(Map.entry("kind", "multipart"));

        S3Exception bad = catchS3(() -> s3.createMultipartUpload(c -> c.bucket(bucket).key("bad").tagging("a#=1")));
        assertThat(bad.awsErrorDetails().errorCode()).isEqualTo("InvalidTag");

        // Started through REST with tags, completed through S3.
        Map<String, Object> started = http.post().uri("/v1/buckets/{b}/multipart", bucket).header("X-Api-Key", tenantKey)
                .contentType(MediaType.APPLICATION_JSON).bodyValue(Map.of("key", "rest-big", "tags", Map.of("via", "rest")))
                .exchange().expectStatus().isCreated()
                .expectBody(new ParameterizedTypeReference<Map<String, Object>>() { }).returnResult().getResponseBody();
        String restId = started.get("id").toString();
        String restEtag = s3.uploadPart(u -> u.bucket(bucket).key("rest-big").uploadId(restId).partNumber(1),
                RequestBody.fromString("rest part")).eTag();
        s3.completeMultipartUpload(c -> c.bucket(bucket).key("rest-big").uploadId(restId)
                .multipartUpload(m -> m.parts(CompletedPart.builder().partNumber(1).eTag(restEtag).build())));
        assertThat(tags("rest-big")).containsExactly(Map.entry("via", "rest"));
    }

    @Test
    void theRestApiShowsAndPatchesTheSameTags() {
        s3.putObject(p -> p.bucket(bucket).key("r.txt").tagging("a=1"), RequestBody.fromString("rest"));
        Map<String, Object> shown = restObject("r.txt");
        assertThat(shown.get("tags")).isEqualTo(Map.of("a", "1"));
        Object lastModified = shown.get("lastModified");

        // Tags alone: the last-modified time stays, as S3 keeps it.
        patch("r.txt", Map.of("tags", Map.of("b", "2", "c", "drei"))).expectStatus().isOk()
                .expectBody().jsonPath("$.tags.b").isEqualTo("2").jsonPath("$.tags.a").doesNotExist()
                .jsonPath("$.lastModified").isEqualTo(lastModified);
        assertThat(tags("r.txt")).containsExactly(Map.entry("b", "2"), Map.entry("c", "drei"));

        // With metadata: both change in one step.
        patch("r.txt", Map.of("metadata", Map.of("owner", "ann"), "tags", Map.of("d", "4"))).expectStatus().isOk()
                .expectBody().jsonPath("$.metadata.owner").isEqualTo("ann").jsonPath("$.tags.d").isEqualTo("4");
        assertThat(tags("r.txt")).containsExactly(Map.entry("d", "4"));
        // A PATCH without tags keeps them.
        patch("r.txt", Map.of("cacheControl", "no-cache")).expectStatus().isOk().expectBody().jsonPath("$.tags.d").isEqualTo("4");

        expectProblem(patch("r.txt", Map.of("tags", Map.of("bad#key", "x"))), HttpStatus.BAD_REQUEST, "invalid_tag");
        expectProblem(patch("r.txt", Map.of("tags", Map.of("n", 1))), HttpStatus.BAD_REQUEST, "invalid_json");
        assertThat(tags("r.txt")).containsExactly(Map.entry("d", "4"));

        Map<String, Object> clear = new LinkedHashMap<>();
        clear.put("tags", null);
        patch("r.txt", clear).expectStatus().isOk().expectBody().jsonPath("$.tags").isEmpty();
        assertThat(tags("r.txt")).isEmpty();

        s3.putObjectTagging(p -> p.bucket(bucket).key("r.txt").tagging(t -> t.tagSet(Tag.builder().key("s3").value("set").build())));
        http.get().uri("/v1/buckets/{b}/objects?prefix=r.txt", bucket).header("X-Api-Key", tenantKey).exchange()
                .expectStatus().isOk().expectBody().jsonPath("$.objects[0].tags.s3").isEqualTo("set");
    }

    @Test
    void readingTagsNeedsReadAndChangingThemWrite() {
        s3.putObject(p -> p.bucket(bucket).key("p").tagging("a=1"), RequestBody.fromString("x"));
        Map<String, Object> issued = asRoot(http.post().uri("/v1/tenants/{t}/s3-credentials", tenantId)
                .contentType(MediaType.APPLICATION_JSON).bodyValue(Map.of("name", "reader", "permissions", List.of("read"))))
                .exchange().expectStatus().isCreated()
                .expectBody(new ParameterizedTypeReference<Map<String, Object>>() { }).returnResult().getResponseBody();
        try (S3Client reader = client(new Credential((String) issued.get("accessKeyId"), (String) issued.get("secretAccessKey")))) {
            assertThat(reader.getObjectTagging(g -> g.bucket(bucket).key("p")).tagSet()).extracting(Tag::key).containsExactly("a");
            S3Exception put = catchS3(() -> reader.putObjectTagging(p -> p.bucket(bucket).key("p")
                    .tagging(t -> t.tagSet(Tag.builder().key("b").value("2").build()))));
            assertThat(put.statusCode()).isEqualTo(403);
            S3Exception delete = catchS3(() -> reader.deleteObjectTagging(d -> d.bucket(bucket).key("p")));
            assertThat(delete.statusCode()).isEqualTo(403);
        }
        assertThat(tags("p")).containsExactly(Map.entry("a", "1"));
    }

    @Test
    void putObjectTaggingNeedsAMatchingChecksumAndAWellFormedDocument() throws Exception {
        s3.putObject(p -> p.bucket(bucket).key("c"), RequestBody.fromString("x"));
        byte[] tagging = "<Tagging><TagSet><Tag><Key>a</Key><Value>1</Value></Tag></TagSet></Tagging>"
                .getBytes(StandardCharsets.UTF_8);
        HttpResponse<String> unchecked = signedRaw(credential, "PUT", "/" + bucket + "/c", "tagging=", Map.of(), tagging);
        assertThat(unchecked.statusCode()).isEqualTo(400);
        assertThat(unchecked.body()).contains("<Code>InvalidRequest</Code>").contains("Content-MD5");
        HttpResponse<String> wrong = signedRaw(credential, "PUT", "/" + bucket + "/c", "tagging=",
                Map.of("Content-MD5", md5Base64("something else".getBytes(StandardCharsets.UTF_8))), tagging);
        assertThat(wrong.body()).contains("<Code>BadDigest</Code>");
        byte[] keyless = "<Tagging><TagSet><Tag><Value>1</Value></Tag></TagSet></Tagging>".getBytes(StandardCharsets.UTF_8);
        HttpResponse<String> malformed = signedRaw(credential, "PUT", "/" + bucket + "/c", "tagging=",
                Map.of("Content-MD5", md5Base64(keyless)), keyless);
        assertThat(malformed.body()).contains("<Code>MalformedXML</Code>");
        assertThat(tags("c")).isEmpty();

        HttpResponse<String> checked = signedRaw(credential, "PUT", "/" + bucket + "/c", "tagging=",
                Map.of("Content-MD5", md5Base64(tagging)), tagging);
        assertThat(checked.statusCode()).as(checked.body()).isEqualTo(200);
        assertThat(tags("c")).containsExactly(Map.entry("a", "1"));
        HttpResponse<String> head = signedRaw(credential, "HEAD", "/" + bucket + "/c", "", Map.of(), new byte[0]);
        assertThat(head.headers().firstValue("x-amz-tagging-count")).contains("1");
        HttpResponse<String> listed = signedRaw(credential, "GET", "/" + bucket + "/c", "tagging=", Map.of(), new byte[0]);
        assertThat(listed.body()).contains("<Tagging xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><TagSet><Tag>"
                + "<Key>a</Key><Value>1</Value></Tag></TagSet></Tagging>");
        HttpResponse<String> byVersion = signedRaw(credential, "GET", "/" + bucket + "/c", "tagging=&versionId=v1", Map.of(), new byte[0]);
        assertThat(byVersion.statusCode()).isEqualTo(501);
    }

    @Test
    void anonymousReadersOfAPublicBucketAreNotToldTheTagCount() throws Exception {
        String open = unique("open");
        s3.createBucket(b -> b.bucket(open).acl(BucketCannedACL.PUBLIC_READ));
        s3.putObject(p -> p.bucket(open).key("pic").tagging("secret=1"), RequestBody.fromString("x"));
        HttpResponse<String> anonymous = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create(endpoint() + "/" + tenantName + "/" + open + "/pic")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(anonymous.statusCode()).isEqualTo(200);
        assertThat(anonymous.headers().firstValue("x-amz-tagging-count")).isEmpty();
        assertThat(s3.getObjectAsBytes(g -> g.bucket(open).key("pic")).response().tagCount()).isEqualTo(1);
        HttpResponse<String> tagging = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create(endpoint() + "/" + tenantName + "/" + open + "/pic?tagging")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(tagging.statusCode()).isEqualTo(403);
    }


    private static String md5Base64(byte[] bytes) throws Exception {
        return Base64.getEncoder().encodeToString(MessageDigest.getInstance("MD5").digest(bytes));
    }

    private org.springframework.test.web.reactive.server.WebTestClient.ResponseSpec patch(String key, Map<String, Object> body) {
        return http.patch().uri("/v1/buckets/{b}/objects/{k}", bucket, key).header("X-Api-Key", tenantKey)
                .contentType(MediaType.APPLICATION_JSON).bodyValue(body).exchange();
    }

    private Map<String, Object> restObject(String key) {
        Map<String, Object> page = http.get().uri("/v1/buckets/{b}/objects?prefix={k}", bucket, key).header("X-Api-Key", tenantKey)
                .exchange().expectStatus().isOk()
                .expectBody(new ParameterizedTypeReference<Map<String, Object>>() { }).returnResult().getResponseBody();
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> objects = (List<Map<String, Object>>) page.get("objects");
        return objects.stream().filter(o -> key.equals(o.get("key"))).findFirst().orElseThrow();
    }

    private Map<String, String> tags(String key) {
        return tags(bucket, key);
    }

    /** The object's tags as GetObjectTagging lists them, in that order. */
    private Map<String, String> tags(String inBucket, String key) {
        return s3.getObjectTagging(g -> g.bucket(inBucket).key(key)).tagSet().stream()
                .collect(Collectors.toMap(Tag::key, Tag::value, (a, b) -> a, LinkedHashMap::new));
    }

    private S3Client client(Credential with) {
        return S3Client.builder()
                .endpointOverride(URI.create(endpoint()))
                .region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(with.accessKeyId(), with.secret())))
                .httpClient(UrlConnectionHttpClient.create())
                .serviceConfiguration(S3Configuration.builder().pathStyleAccessEnabled(true).build())
                .build();
    }

}
