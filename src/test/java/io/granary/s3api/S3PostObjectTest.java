package io.granary.s3api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.ResponseBytes;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3Configuration;
import software.amazon.awssdk.services.s3.model.CORSRule;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * POST Object: forms made by boto3's {@code generate_presigned_post} (skipped with a message
 * where python3 has no boto3) and by hand, posted as a browser does (multipart/form-data, the
 * file last) with Java's HTTP client; the object checked through the SDK. Every refusal is
 * checked to leave the bucket empty.
 */
class S3PostObjectTest extends S3TestSupport {

    private static final String APP = "https://app.example.com";
    private static final DateTimeFormatter AMZ_DATE = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);
    private static final JsonMapper JSON = JsonMapper.builder().build();

    /** boto3 making a POST form: argv is endpoint, bucket, key, fields and conditions as JSON; prints url and fields. */
    private static final String BOTO3 = """
            import boto3, json, sys
            from botocore.config import Config
            endpoint, bucket, key, fields, conditions = sys.argv[1:6]
            s3 = boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1",
                              config=Config(signature_version="s3v4", s3={"addressing_style": "path"}))
            print(json.dumps(s3.generate_presigned_post(bucket, key, Fields=json.loads(fields),
                                                        Conditions=json.loads(conditions), ExpiresIn=300)))
            """;

    private final HttpClient browser = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();
    private Credential credential;
    private S3Client s3;
    private String bucket;

    @BeforeEach
    void bucket() {
        credential = newCredential();
        s3 = client(credential);
        bucket = unique("forms");
        s3.createBucket(b -> b.bucket(bucket));
    }

    @AfterEach
    void close() {
        s3.close();
    }

    private S3Client client(Credential signer) {
        return S3Client.builder().endpointOverride(URI.create(endpoint())).region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(signer.accessKeyId(),
                        signer.secret())))
                .httpClient(UrlConnectionHttpClient.create())
                .serviceConfiguration(S3Configuration.builder().pathStyleAccessEnabled(true).build())
                .build();
    }

    @Test
    void boto3FormUploadsWithTheBucketsCorsHeaders() throws Exception {
        s3.putBucketCors(c -> c.bucket(bucket).corsConfiguration(cors -> cors.corsRules(
                CORSRule.builder().allowedOrigins(APP).allowedMethods("POST").exposeHeaders("ETag").build())));
        JsonNode form = boto3(bucket, "uploads/${filename}",
                Map.of("Content-Type", "text/plain", "x-amz-meta-owner", "ann", "success_action_status", "201",
                        "Cache-Control", "max-age=60"),
                List.of(List.of("content-length-range", 1, 1 << 20), List.of("starts-with", "$key", "uploads/"),
                        Map.of("Content-Type", "text/plain"), Map.of("x-amz-meta-owner", "ann"),
                        Map.of("success_action_status", "201"), List.of("starts-with", "$Cache-Control", "max-age=")));
        assertThat(form.get("url").asString()).isEqualTo(endpoint() + "/" + bucket);
        byte[] content = "notes posted from a page\n".repeat(500).getBytes(StandardCharsets.UTF_8);

        HttpResponse<String> posted = post(URI.create(form.get("url").asString()), fields(form), "notes.txt", content, APP);

        assertThat(posted.statusCode()).as(posted.body()).isEqualTo(201);
        assertThat(posted.body()).contains("<Bucket>" + bucket + "</Bucket>").contains("<Key>uploads/notes.txt</Key>")
                .contains("<Location>" + endpoint() + "/" + bucket + "/uploads/notes.txt</Location>")
                .containsPattern("<ETag>&quot;[0-9a-f]{32}&quot;</ETag>|<ETag>\"[0-9a-f]{32}\"</ETag>");
        assertThat(posted.headers().firstValue("ETag")).isPresent();
        assertThat(posted.headers().firstValue("Access-Control-Allow-Origin")).hasValue(APP);
        ResponseBytes<GetObjectResponse> stored = s3.getObjectAsBytes(g -> g.bucket(bucket).key("uploads/notes.txt"));
        assertThat(stored.asByteArray()).isEqualTo(content);
        assertThat(stored.response().contentType()).isEqualTo("text/plain");
        assertThat(stored.response().metadata()).containsEntry("owner", "ann");
        assertThat(stored.response().cacheControl()).isEqualTo("max-age=60");
        assertThat(stored.response().eTag()).isEqualTo(posted.headers().firstValue("ETag").orElseThrow());
    }

    @Test
    void boto3FormRedirectsWithBucketKeyAndEtag() throws Exception {
        JsonNode form = boto3(bucket, "photos/cat.jpg", Map.of("success_action_redirect", APP + "/done?from=form"),
                List.of(Map.of("success_action_redirect", APP + "/done?from=form")));
        HttpResponse<String> posted = post(URI.create(form.get("url").asString()), fields(form), "cat.jpg",
                new byte[] {1, 2, 3}, null);
        assertThat(posted.statusCode()).as(posted.body()).isEqualTo(303);
        String etag = s3.headObject(h -> h.bucket(bucket).key("photos/cat.jpg")).eTag();
        URI location = URI.create(posted.headers().firstValue("Location").orElseThrow());
        assertThat(location.toString()).startsWith(APP + "/done?from=form&");
        assertThat(location.getQuery()).contains("bucket=" + bucket).contains("key=photos/cat.jpg").contains("etag=" + etag);
    }

    @Test
    void handMadeFormIsStoredWithTheDefaultAnswer() throws Exception {
        Form form = new Form(credential, bucket).field("key", "docs/${filename}").condition("[\"starts-with\", \"$key\", \"docs/\"]");
        HttpResponse<String> posted = post(form, "readme.md", "# hello".getBytes(StandardCharsets.UTF_8));
        assertThat(posted.statusCode()).as(posted.body()).isEqualTo(204);
        assertThat(posted.headers().firstValue("Location")).hasValue(endpoint() + "/" + bucket + "/docs/readme.md");
        assertThat(s3.getObjectAsBytes(g -> g.bucket(bucket).key("docs/readme.md")).asUtf8String()).isEqualTo("# hello");
    }

    @Test
    void refusalsStoreNothing() throws Exception {
        byte[] small = "hello".getBytes(StandardCharsets.UTF_8);
        expectRefused(post(new Form(credential, bucket).expiration(Instant.now().minusSeconds(5)), "a.txt", small),
                403, "AccessDenied", "Invalid according to Policy: Policy expired.");
        expectRefused(post(new Form(credential, bucket).tamperSignature(), "a.txt", small),
                403, "SignatureDoesNotMatch", "x-amz-signature");
        expectRefused(post(new Form(credential, bucket).field("x-amz-meta-extra", "1"), "a.txt", small),
                403, "AccessDenied", "Extra input fields: x-amz-meta-extra");
        expectRefused(post(new Form(credential, bucket).field("key", "other/a.txt")
                        .condition("[\"starts-with\", \"$key\", \"uploads/\"]"), "a.txt", small),
                403, "AccessDenied", "Policy Condition failed: [\"starts-with\", \"$key\", \"uploads/\"]");
        expectRefused(post(new Form(credential, bucket).field("Content-Type", "text/html")
                        .condition("{\"Content-Type\": \"image/png\"}"), "a.txt", small),
                403, "AccessDenied", "Policy Condition failed: [\"eq\", \"$content-type\", \"image/png\"]");
        expectRefused(post(new Form(credential, bucket).omitBucketCondition(), "a.txt", small),
                403, "AccessDenied", "names no bucket");
        // Larger than the maximum: refused as it streams, long before its end.
        byte[] large = new byte[4 << 20];
        new Random(7).nextBytes(large);
        expectRefused(post(new Form(credential, bucket).condition("[\"content-length-range\", 0, 1024]"), "big.bin", large),
                400, "EntityTooLarge", "at most 1024 bytes");
        expectRefused(post(new Form(credential, bucket).condition("[\"content-length-range\", 10, 100]"), "a.txt", small),
                400, "EntityTooSmall", "at least 10");
        expectRefused(post(new Form(credential, bucket), null, null), 400, "InvalidArgument", "field named 'file'");
        expectRefused(post(new Form(credential, bucket).rawPolicy("%%% not base64 %%%"), "a.txt", small),
                400, "InvalidPolicyDocument", "not base64");
        expectRefused(post(new Form(credential, bucket).rawPolicy(base64("{\"expiration\": \"soon\", \"conditions\": [")),
                "a.txt", small), 400, "InvalidPolicyDocument", "not JSON");
        expectRefused(post(new Form(credential, bucket).rawPolicy(base64("{\"expiration\": \"tomorrow\", \"conditions\": []}")),
                "a.txt", small), 400, "InvalidPolicyDocument", "expiration");
        expectRefused(post(new Form(new Credential("GRAAAAAAAAAAAAAAAAAA", "x".repeat(40)), bucket), "a.txt", small),
                403, "InvalidAccessKeyId", "does not exist");
        expectRefused(post(new Form(credential, bucket).field("key", null), "a.txt", small),
                400, "InvalidArgument", "field named 'key'");
        assertThat(s3.listObjectsV2(l -> l.bucket(bucket)).keyCount()).isZero();

        // Another tenant's credential names this bucket: it resolves in its own tenant, which has none such.
        Credential stranger = newCredential();
        expectRefused(post(new Form(stranger, bucket), "a.txt", small), 404, "NoSuchBucket", bucket);
        assertThat(s3.listObjectsV2(l -> l.bucket(bucket)).keyCount()).isZero();
    }

    private static void expectRefused(HttpResponse<String> response, int status, String code, String message) {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
        assertThat(response.body()).contains("<Code>" + code + "</Code>");
        assertThat(response.body().replace("&quot;", "\"")).contains(message);
    }

    // ---- boto3

    private JsonNode boto3(String bucketName, String key, Map<String, Object> fields, List<Object> conditions) throws Exception {
        Run check = run(List.of("python3", "-c", "import boto3"), Map.of(), null);
        assumeTrue(check != null && check.exitCode() == 0,
                "python3 with boto3 is not installed (Debian: apt-get install python3-boto3): skipped");
        Run made = run(List.of("python3", "-c", BOTO3, endpoint(), bucketName, key, JSON.writeValueAsString(fields),
                        JSON.writeValueAsString(conditions)),
                Map.of("AWS_ACCESS_KEY_ID", credential.accessKeyId(), "AWS_SECRET_ACCESS_KEY", credential.secret(),
                        "AWS_CONFIG_FILE", "/nonexistent", "AWS_SHARED_CREDENTIALS_FILE", "/nonexistent"), null);
        assertThat(made.exitCode()).as(made.stderr()).isZero();
        return JSON.readTree(made.stdout());
    }

    private static Map<String, String> fields(JsonNode form) {
        Map<String, String> fields = new LinkedHashMap<>();
        form.get("fields").properties().forEach(entry -> fields.put(entry.getKey(), entry.getValue().asString()));
        return fields;
    }

    // ---- a form made by hand

    /** A valid form for {@code key} = {@code a.txt} unless changed, signed as boto3 signs it. */
    private static final class Form {
        private final Credential signer;
        private final String bucketName;
        private final Map<String, String> fields = new LinkedHashMap<>();
        private final List<String> conditions = new ArrayList<>();
        private Instant expiration = Instant.now().plus(5, ChronoUnit.MINUTES);
        private boolean bucketCondition = true;
        private boolean tamper;
        private String rawPolicy;

        Form(Credential signer, String bucketName) {
            this.signer = signer;
            this.bucketName = bucketName;
            Instant now = Instant.now();
            fields.put("key", "a.txt");
            fields.put("x-amz-algorithm", "AWS4-HMAC-SHA256");
            fields.put("x-amz-credential", signer.accessKeyId() + "/" + AMZ_DATE.format(now).substring(0, 8) + "/us-east-1/s3/aws4_request");
            fields.put("x-amz-date", AMZ_DATE.format(now));
        }

        /** Sets (or, with {@code null}, removes) a field, covered by no condition unless one is added. */
        Form field(String name, String value) {
            if (value == null) {
                fields.remove(name);
            } else {
                fields.put(name, value);
            }
            return this;
        }

        Form condition(String json) {
            conditions.add(json);
            return this;
        }

        Form expiration(Instant at) {
            expiration = at;
            return this;
        }

        Form omitBucketCondition() {
            bucketCondition = false;
            return this;
        }

        Form tamperSignature() {
            tamper = true;
            return this;
        }

        Form rawPolicy(String policy) {
            rawPolicy = policy;
            return this;
        }

        Map<String, String> signed() {
            List<String> all = new ArrayList<>(conditions);
            if (bucketCondition) {
                all.add("{\"bucket\": \"" + bucketName + "\"}");
            }
            for (String name : List.of("x-amz-algorithm", "x-amz-credential", "x-amz-date")) {
                all.add("{\"" + name + "\": \"" + fields.get(name) + "\"}");
            }
            if (conditions.stream().noneMatch(c -> c.contains("$key")) && fields.containsKey("key")) {
                all.add("{\"key\": \"" + fields.get("key") + "\"}");
            }
            String policy = rawPolicy != null ? rawPolicy : base64("{\"expiration\": \"" + expiration.truncatedTo(ChronoUnit.MILLIS)
                    + "\", \"conditions\": [" + String.join(", ", all) + "]}");
            String[] scope = fields.get("x-amz-credential").split("/");
            String signature = SigV4.signature(signer.secret(), scope[1], scope[2], scope[3], policy);
            Map<String, String> form = new LinkedHashMap<>(fields);
            form.put("policy", policy);
            form.put("x-amz-signature", tamper ? signature.replace(signature.charAt(0), signature.charAt(0) == 'a' ? 'b' : 'a')
                    : signature);
            return form;
        }
    }

    private static String base64(String text) {
        return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
    }

    private HttpResponse<String> post(Form form, String filename, byte[] content) throws Exception {
        return post(URI.create(endpoint() + "/" + bucket), form.signed(), filename, content, null);
    }

    /** Posts the fields, then (unless {@code content} is null) the file, as a browser sends a form. */
    private HttpResponse<String> post(URI url, Map<String, String> fields, String filename, byte[] content, String origin)
            throws Exception {
        String boundary = "----granaryform" + Long.toHexString(new Random().nextLong());
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        for (Map.Entry<String, String> field : fields.entrySet()) {
            body.writeBytes(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"" + field.getKey() + "\"\r\n\r\n"
                    + field.getValue() + "\r\n").getBytes(StandardCharsets.UTF_8));
        }
        if (content != null) {
            body.writeBytes(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"" + filename
                    + "\"\r\nContent-Type: application/octet-stream\r\n\r\n").getBytes(StandardCharsets.UTF_8));
            body.writeBytes(content);
            body.writeBytes("\r\n".getBytes(StandardCharsets.UTF_8));
        }
        body.writeBytes(("--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8));
        HttpRequest.Builder request = HttpRequest.newBuilder(url)
                .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body.toByteArray()));
        if (origin != null) {
            request.header("Origin", origin);
        }
        return browser.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }
}
