package io.granary.s3api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AnonymousCredentialsProvider;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.ResponseBytes;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.BucketCannedACL;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * Unsigned S3 requests: GetObject and HeadObject of public buckets, the tenant in the bucket's
 * place ({@code /<tenant>/<bucket>/<key>}, or {@code <tenant>.<domain>/<bucket>/<key>}), exactly
 * what the REST API's {@code /public} routes serve; everything else {@code 403 AccessDenied},
 * with nothing changed.
 */
class S3PublicReadsTest extends S3TestSupport {

    private static final String KEY = "docs/a b+c.txt";

    private String tenant;
    private String publicBucket;
    private String privateBucket;
    private String etag;
    private S3Client signed;
    private S3Client anonymous;
    private final HttpClient raw = HttpClient.newHttpClient();

    @BeforeEach
    void buckets() {
        tenant = unique("pub");
        Credential credential = newCredential(createTenant(tenant));
        signed = S3Client.builder().endpointOverride(URI.create(endpoint())).forcePathStyle(true).region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(
                        AwsBasicCredentials.create(credential.accessKeyId(), credential.secret())))
                .httpClient(UrlConnectionHttpClient.create()).build();
        anonymous = S3Client.builder().endpointOverride(URI.create(endpoint())).forcePathStyle(true).region(Region.US_EAST_1)
                .credentialsProvider(AnonymousCredentialsProvider.create()).httpClient(UrlConnectionHttpClient.create()).build();
        publicBucket = unique("open");
        privateBucket = unique("closed");
        signed.createBucket(b -> b.bucket(publicBucket).acl(BucketCannedACL.PUBLIC_READ));
        signed.createBucket(b -> b.bucket(privateBucket));
        etag = signed.putObject(p -> p.bucket(publicBucket).key(KEY).contentType("text/plain").metadata(Map.of("owner", "ann")),
                RequestBody.fromString("for everyone")).eTag();
        signed.putObject(p -> p.bucket(privateBucket).key(KEY), RequestBody.fromString("for the tenant"));
    }

    @AfterEach
    void close() {
        signed.close();
        anonymous.close();
    }

    @Test
    void anUnsignedReadOfAPublicBucketNamesTheTenantWhereTheBucketGoes() {
        ResponseBytes<GetObjectResponse> got = anonymous.getObjectAsBytes(g -> g.bucket(tenant).key(publicBucket + "/" + KEY));
        assertThat(got.asUtf8String()).isEqualTo("for everyone");
        assertThat(got.response().eTag()).isEqualTo(etag);
        assertThat(got.response().contentType()).startsWith("text/plain");
        assertThat(got.response().metadata()).containsEntry("owner", "ann");
        assertThat(anonymous.headObject(h -> h.bucket(tenant).key(publicBucket + "/" + KEY)).contentLength()).isEqualTo(12);
        assertThat(anonymous.getObjectAsBytes(g -> g.bucket(tenant).key(publicBucket + "/" + KEY).range("bytes=4-11"))
                .asUtf8String()).isEqualTo("everyone");
        // A missing key of a public bucket is NoSuchKey, as /public answers object_not_found.
        assertThatThrownBy(() -> anonymous.getObjectAsBytes(g -> g.bucket(tenant).key(publicBucket + "/nothing")))
                .isInstanceOf(NoSuchKeyException.class);

        // By host: <tenant>.<domain>/<bucket>/<key>.
        try (S3Client byHost = S3Client.builder().endpointOverride(URI.create(domainEndpoint())).forcePathStyle(false)
                .region(Region.US_EAST_1).credentialsProvider(AnonymousCredentialsProvider.create())
                .httpClient(domainHttpClient()).build()) {
            assertThat(byHost.getObjectAsBytes(g -> g.bucket(tenant).key(publicBucket + "/" + KEY)).asUtf8String())
                    .isEqualTo("for everyone");
        }
        assertThat(resolved).contains(tenant + "." + DOMAIN);

        // The REST API's public URL of the same object.
        http.get().uri(URI.create("http://127.0.0.1:" + port + "/public/" + tenant + "/" + publicBucket + "/docs/a%20b+c.txt"))
                .exchange().expectStatus().isOk().expectBody(String.class).isEqualTo("for everyone");
    }

    @Test
    void aPrivateMissingOrUnknownBucketIsAccessDeniedAlike() throws Exception {
        String key = "/docs/a%20b+c.txt";
        for (String path : List.of("/" + tenant + "/" + privateBucket + key, "/" + tenant + "/" + unique("none") + key,
                "/" + unique("nobody") + "/" + publicBucket + key)) {
            HttpResponse<String> denied = send("GET", path);
            assertThat(denied.statusCode()).as(path).isEqualTo(403);
            assertThat(denied.body()).as(path).contains("<Code>AccessDenied</Code>").contains("Access Denied: no public bucket");
            assertThat(denied.headers().firstValue("x-amz-request-id")).isPresent();
            assertThat(send("HEAD", path).statusCode()).as(path).isEqualTo(403);
        }
        S3Exception viaSdk = (S3Exception) catchThrowable(() ->
                anonymous.getObjectAsBytes(g -> g.bucket(tenant).key(privateBucket + "/" + KEY)));
        assertThat(viaSdk.statusCode()).isEqualTo(403);
        assertThat(viaSdk.awsErrorDetails().errorCode()).isEqualTo("AccessDenied");
    }

    @Test
    void everythingElseUnsignedIsAccessDeniedAndChangesNothing() throws Exception {
        String object = "/" + tenant + "/" + publicBucket + "/docs/a%20b+c.txt";
        List<String[]> refused = List.of(
                new String[] {"PUT", "/" + tenant + "/" + publicBucket + "/docs/new"},
                new String[] {"PUT", "/" + publicBucket + "/docs/new"}, // the signed form of the address, unsigned
                new String[] {"DELETE", object},
                new String[] {"POST", object + "?uploads"},
                new String[] {"GET", object + "?acl"},
                new String[] {"GET", object + "?uploadId=abc"},
                new String[] {"GET", "/"},
                new String[] {"GET", "/" + tenant},
                new String[] {"GET", "/" + tenant + "?list-type=2"},
                new String[] {"GET", "/" + tenant + "/" + publicBucket},
                new String[] {"GET", "/" + tenant + "/" + publicBucket + "/"},
                new String[] {"PUT", "/" + tenant},
                new String[] {"DELETE", "/" + tenant + "/" + publicBucket});
        for (String[] request : refused) {
            HttpResponse<String> denied = send(request[0], request[1]);
            assertThat(denied.statusCode()).as(request[0] + " " + request[1]).isEqualTo(403);
            assertThat(denied.body()).as(request[0] + " " + request[1]).contains("<Code>AccessDenied</Code>")
                    .contains("an unsigned request may only GET or HEAD an object of a public bucket");
        }
        S3Exception viaSdk = (S3Exception) catchThrowable(() -> anonymous.putObject(
                p -> p.bucket(tenant).key(publicBucket + "/docs/new"), RequestBody.fromString("anonymous bytes")));
        assertThat(viaSdk.statusCode()).isEqualTo(403);
        assertThat(viaSdk.awsErrorDetails().errorCode()).isEqualTo("AccessDenied");

        // Nothing was written or deleted.
        assertThatThrownBy(() -> signed.headObject(h -> h.bucket(publicBucket).key("docs/new"))).isInstanceOf(NoSuchKeyException.class);
        assertThat(signed.getObjectAsBytes(g -> g.bucket(publicBucket).key(KEY)).asUtf8String()).isEqualTo("for everyone");
        assertThat(signed.headBucket(b -> b.bucket(publicBucket))).isNotNull();
    }

    private HttpResponse<String> send(String method, String pathAndQuery) throws Exception {
        HttpRequest.BodyPublisher body = method.equals("PUT") || method.equals("POST")
                ? HttpRequest.BodyPublishers.ofString("anonymous bytes") : HttpRequest.BodyPublishers.noBody();
        return raw.send(HttpRequest.newBuilder(URI.create(endpoint() + pathAndQuery)).method(method, body).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static Throwable catchThrowable(Runnable call) {
        try {
            call.run();
        } catch (S3Exception e) {
            return e;
        }
        throw new AssertionError("expected an S3 error");
    }
}
