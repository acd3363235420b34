package io.granary.s3api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3Configuration;
import software.amazon.awssdk.services.s3.model.CORSRule;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.presigner.S3Presigner;

/**
 * Get/Put/DeleteBucketCors through the AWS SDK set the same rules as the REST API, and the S3
 * listener answers preflights (without a signature) and decorates answers by them.
 */
class S3CorsTest extends S3TestSupport {

    private static final String APP = "https://app.example.com";

    private final HttpClient browser = HttpClient.newHttpClient();
    private Credential credential;
    private String tenantKey;
    private String tenantName;
    private S3Client s3;
    private String bucket;

    @BeforeEach
    void bucket() {
        tenantName = unique("s3cors");
        String tenantId = createTenant(tenantName);
        tenantKey = createKey(tenantId, List.of("admin"), null);
        credential = newCredential(tenantId);
        s3 = S3Client.builder().endpointOverride(URI.create(endpoint())).region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(credential.accessKeyId(),
                        credential.secret())))
                .httpClient(UrlConnectionHttpClient.create())
                .serviceConfiguration(S3Configuration.builder().pathStyleAccessEnabled(true).build())
                .build();
        bucket = unique("web");
        s3.createBucket(b -> b.bucket(bucket));
        s3.putObject(p -> p.bucket(bucket).key("app.js"), RequestBody.fromString("console.log(1)"));
    }

    @AfterEach
    void close() {
        s3.close();
    }

    @Test
    void rulesSetThroughS3AreTheRestApisAndAnswerBrowsers() throws Exception {
        assertThatThrownBy(() -> s3.getBucketCors(c -> c.bucket(bucket)))
                .isInstanceOfSatisfying(S3Exception.class, e -> assertThat(e.awsErrorDetails().errorCode()).isEqualTo("NoSuchCORSConfiguration"));
        s3.putBucketCors(c -> c.bucket(bucket).corsConfiguration(cors -> cors.corsRules(
                CORSRule.builder().allowedOrigins(APP).allowedMethods("GET", "PUT").allowedHeaders("*")
                        .exposeHeaders("ETag").maxAgeSeconds(300).build())));
        CORSRule read = s3.getBucketCors(c -> c.bucket(bucket)).corsRules().get(0);
        assertThat(read.allowedOrigins()).containsExactly(APP);
        assertThat(read.allowedMethods()).containsExactly("GET", "PUT");
        assertThat(read.maxAgeSeconds()).isEqualTo(300);
        // The REST API sees the same rules.
        http.get().uri("/v1/buckets/{b}/cors", bucket).header("X-Api-Key", tenantKey).exchange().expectStatus().isOk()
                .expectBody().jsonPath("$.rules[0].allowedOrigins[0]").isEqualTo(APP);

        HttpResponse<String> preflight = send(HttpRequest.newBuilder(URI.create(endpoint() + "/" + bucket + "/upload.bin"))
                .method("OPTIONS", HttpRequest.BodyPublishers.noBody()).header("Origin", APP)
                .header("Access-Control-Request-Method", "PUT")
                .header("Access-Control-Request-Headers", "authorization, x-amz-date, x-amz-content-sha256"));
        assertThat(preflight.statusCode()).as(preflight.headers().map() + preflight.body()).isEqualTo(200);
        assertThat(preflight.headers().firstValue("Access-Control-Allow-Origin")).hasValue(APP);
        assertThat(preflight.headers().firstValue("Access-Control-Max-Age")).hasValue("300");

        HttpResponse<String> refused = send(HttpRequest.newBuilder(URI.create(endpoint() + "/" + bucket + "/upload.bin"))
                .method("OPTIONS", HttpRequest.BodyPublishers.noBody()).header("Origin", "https://evil.example.net")
                .header("Access-Control-Request-Method", "PUT"));
        assertThat(refused.statusCode()).isEqualTo(403);
        assertThat(refused.body()).contains("<Code>AccessForbidden</Code>");

        try (S3Presigner presigner = S3Presigner.builder().endpointOverride(URI.create(endpoint())).region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(credential.accessKeyId(),
                        credential.secret())))
                .serviceConfiguration(S3Configuration.builder().pathStyleAccessEnabled(true).build()).build()) {
            URI get = presigner.presignGetObject(r -> r.signatureDuration(Duration.ofMinutes(5))
                    .getObjectRequest(g -> g.bucket(bucket).key("app.js"))).url().toURI();
            HttpResponse<String> allowed = send(HttpRequest.newBuilder(get).header("Origin", APP));
            assertThat(allowed.statusCode()).isEqualTo(200);
            assertThat(allowed.body()).isEqualTo("console.log(1)");
            assertThat(allowed.headers().firstValue("Access-Control-Allow-Origin")).hasValue(APP);
            assertThat(allowed.headers().firstValue("Access-Control-Expose-Headers")).hasValue("ETag");
            HttpResponse<String> other = send(HttpRequest.newBuilder(get).header("Origin", "https://evil.example.net"));
            assertThat(other.statusCode()).isEqualTo(200);
            assertThat(other.headers().firstValue("Access-Control-Allow-Origin")).isEmpty();
        }

        s3.deleteBucketCors(c -> c.bucket(bucket));
        assertThatThrownBy(() -> s3.getBucketCors(c -> c.bucket(bucket))).isInstanceOf(S3Exception.class);
        assertThat(send(HttpRequest.newBuilder(URI.create(endpoint() + "/" + bucket + "/upload.bin"))
                .method("OPTIONS", HttpRequest.BodyPublishers.noBody()).header("Origin", APP)
                .header("Access-Control-Request-Method", "PUT")).statusCode()).isEqualTo(403);
    }

    @Test
    void aPresignedUrlsPreflightFollowsItsOwnTenantsRulesAlone() throws Exception {
        s3.putBucketCors(c -> c.bucket(bucket).corsConfiguration(cors -> cors.corsRules(
                CORSRule.builder().allowedOrigins(APP).allowedMethods("PUT").allowedHeaders("*").build())));
        // Another tenant's bucket of the same name allows every origin.
        Credential other = newCredential();
        try (S3Client theirs = S3Client.builder().endpointOverride(URI.create(endpoint())).region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(other.accessKeyId(), other.secret())))
                .httpClient(UrlConnectionHttpClient.create()).forcePathStyle(true).build()) {
            theirs.createBucket(b -> b.bucket(bucket));
            theirs.putBucketCors(c -> c.bucket(bucket).corsConfiguration(cors -> cors.corsRules(
                    CORSRule.builder().allowedOrigins("*").allowedMethods("PUT", "DELETE").allowedHeaders("*").build())));
        }
        try (S3Presigner presigner = S3Presigner.builder().endpointOverride(URI.create(endpoint())).region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(credential.accessKeyId(),
                        credential.secret())))
                .serviceConfiguration(S3Configuration.builder().pathStyleAccessEnabled(true).build()).build()) {
            URI put = presigner.presignPutObject(r -> r.signatureDuration(Duration.ofMinutes(5))
                    .putObjectRequest(p -> p.bucket(bucket).key("upload.bin"))).url().toURI();
            HttpResponse<String> evil = send(HttpRequest.newBuilder(put).method("OPTIONS", HttpRequest.BodyPublishers.noBody())
                    .header("Origin", "https://evil.example.net").header("Access-Control-Request-Method", "PUT"));
            assertThat(evil.statusCode()).as("the other tenant's rules lend nothing to this URL").isEqualTo(403);
            HttpResponse<String> app = send(HttpRequest.newBuilder(put).method("OPTIONS", HttpRequest.BodyPublishers.noBody())
                    .header("Origin", APP).header("Access-Control-Request-Method", "PUT"));
            assertThat(app.statusCode()).isEqualTo(200);
        }
    }

    @Test
    void anUnsignedReadsPreflightIsAddressedAsTheReadIs() throws Exception {
        // /<tenant>/<bucket>/<key>: the tenant's name stands where a signed request's bucket would.
        http.patch().uri("/v1/buckets/{b}", bucket).header("X-Api-Key", tenantKey).contentType(org.springframework.http.MediaType.APPLICATION_JSON)
                .bodyValue(java.util.Map.of("visibility", "public")).exchange().expectStatus().isOk().expectBody();
        s3.putBucketCors(c -> c.bucket(bucket).corsConfiguration(cors -> cors.corsRules(
                CORSRule.builder().allowedOrigins(APP).allowedMethods("GET").allowedHeaders("if-none-match").build())));
        URI read = URI.create(endpoint() + "/" + tenantName + "/" + bucket + "/app.js");
        HttpResponse<String> preflight = send(HttpRequest.newBuilder(read).method("OPTIONS", HttpRequest.BodyPublishers.noBody())
                .header("Origin", APP).header("Access-Control-Request-Method", "GET")
                .header("Access-Control-Request-Headers", "if-none-match"));
        assertThat(preflight.statusCode()).as(preflight.body()).isEqualTo(200);
        HttpResponse<String> got = send(HttpRequest.newBuilder(read).header("Origin", APP));
        assertThat(got.statusCode()).isEqualTo(200);
        assertThat(got.headers().firstValue("Access-Control-Allow-Origin")).hasValue(APP);
    }

    @Test
    void invalidConfigurationsAreRefusedAndChangeNothing() {
        s3.putBucketCors(c -> c.bucket(bucket).corsConfiguration(cors -> cors.corsRules(
                CORSRule.builder().allowedOrigins(APP).allowedMethods("GET").build())));
        assertThatThrownBy(() -> s3.putBucketCors(c -> c.bucket(bucket).corsConfiguration(cors -> cors.corsRules(
                CORSRule.builder().allowedOrigins(APP).allowedMethods("TRACE").build()))))
                .isInstanceOfSatisfying(S3Exception.class, e -> {
                    assertThat(e.statusCode()).isEqualTo(400);
                    assertThat(e.awsErrorDetails().errorCode()).isEqualTo("InvalidRequest");
                });
        assertThatThrownBy(() -> s3.putBucketCors(c -> c.bucket(bucket).corsConfiguration(cors -> cors.corsRules(List.of()))))
                .isInstanceOfSatisfying(S3Exception.class, e -> assertThat(e.awsErrorDetails().errorCode()).isEqualTo("MalformedXML"));
        assertThat(s3.getBucketCors(c -> c.bucket(bucket)).corsRules().get(0).allowedMethods()).containsExactly("GET");
    }

    private HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
        return browser.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }
}
