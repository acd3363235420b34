package io.granary.s3api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.Bucket;
import software.amazon.awssdk.services.s3.model.NoSuchBucketException;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * Virtual-host addressing ({@code granary.s3.domain} is {@code s3.granary.test} in the tests):
 * the AWS SDK with {@code forcePathStyle(false)} against {@code http://s3.granary.test:<port>},
 * its names resolved by the client ({@link #domainHttpClient()}); raw requests for what the SDK
 * does not send (a bucket with dots, a Host in capitals, a signature over another path).
 */
class S3VirtualHostTest extends S3TestSupport {

    private Credential credential;
    private S3Client byHost;
    private S3Client pathStyle;

    @BeforeEach
    void clients() {
        credential = newCredential();
        byHost = client(domainEndpoint(), false, domainHttpClient());
        pathStyle = client(endpoint(), true, UrlConnectionHttpClient.create());
    }

    @AfterEach
    void close() {
        byHost.close();
        pathStyle.close();
    }

    /** The SDK's defaults (aws-chunked bodies, checksums); only the endpoint, the style and the HTTP client vary. */
    private S3Client client(String endpoint, boolean forcePathStyle, SdkHttpClient httpClient) {
        return S3Client.builder().endpointOverride(URI.create(endpoint)).forcePathStyle(forcePathStyle).region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(
                        AwsBasicCredentials.create(credential.accessKeyId(), credential.secret())))
                .httpClient(httpClient).build();
    }

    @Test
    void theSdkAddressesBucketsByHostNameAndPathStyleStillWorks() {
        String bucket = unique("vh");
        byHost.createBucket(b -> b.bucket(bucket));
        byHost.headBucket(b -> b.bucket(bucket));
        byHost.putObject(p -> p.bucket(bucket).key("docs/a b+c.txt").contentType("text/plain"), RequestBody.fromString("by host"));
        byHost.putObject(p -> p.bucket(bucket).key("docs/two"), RequestBody.fromString("2"));
        assertThat(byHost.getObjectAsBytes(g -> g.bucket(bucket).key("docs/a b+c.txt")).asUtf8String()).isEqualTo("by host");
        assertThat(byHost.listObjectsV2(l -> l.bucket(bucket).prefix("docs/")).contents()).extracting(S3Object::key)
                .containsExactly("docs/a b+c.txt", "docs/two");
        // The SDK did address the bucket by its host name (and signed that Host and the path it sent).
        assertThat(resolved).contains(bucket + "." + DOMAIN);

        // The same bucket and objects in path style, at an IP address...
        assertThat(pathStyle.getObjectAsBytes(g -> g.bucket(bucket).key("docs/a b+c.txt")).asUtf8String()).isEqualTo("by host");
        // ... and at the domain itself, which is path style too (ListBuckets goes there in either style).
        try (S3Client onDomain = client(domainEndpoint(), true, domainHttpClient())) {
            assertThat(onDomain.listBuckets().buckets()).extracting(Bucket::name).contains(bucket);
            assertThat(onDomain.getObjectAsBytes(g -> g.bucket(bucket).key("docs/two")).asUtf8String()).isEqualTo("2");
        }
        assertThat(byHost.listBuckets().buckets()).extracting(Bucket::name).contains(bucket);

        byHost.deleteObject(d -> d.bucket(bucket).key("docs/a b+c.txt"));
        byHost.deleteObject(d -> d.bucket(bucket).key("docs/two"));
        byHost.deleteBucket(d -> d.bucket(bucket));
        assertThatThrownBy(() -> pathStyle.headBucket(b -> b.bucket(bucket))).isInstanceOf(NoSuchBucketException.class);
    }

    @Test
    void aBucketWithDotsIsEveryLabelBeforeTheDomainAndTheSignatureCoversThePathAsSent() throws Exception {
        String bucket = unique("d") + ".with.dots";
        pathStyle.createBucket(b -> b.bucket(bucket));
        pathStyle.putObject(p -> p.bucket(bucket).key("k 1.txt"), RequestBody.fromString("dotted"));
        String host = (bucket + "." + DOMAIN).toUpperCase(java.util.Locale.ROOT) + ":" + listener.port();

        String object = signedGet(host, "/k%201.txt", "", "/k%201.txt");
        assertThat(object).startsWith("HTTP/1.1 200").endsWith("dotted");
        String listing = signedGet(host, "/", "list-type=2", "/");
        assertThat(listing).startsWith("HTTP/1.1 200").contains("<Name>" + bucket + "</Name>").contains("<Key>k 1.txt</Key>");

        // Signed over the path-style path but sent by host: the canonical URI is the path as sent, so it does not match.
        String rewritten = signedGet(host, "/k%201.txt", "", "/" + bucket + "/k%201.txt");
        assertThat(rewritten).startsWith("HTTP/1.1 403").contains("<Code>SignatureDoesNotMatch</Code>")
                .contains("<CanonicalRequest>GET\n/k%201.txt\n");
    }

    /** A GET sent over a plain socket with this Host, signed (UNSIGNED-PAYLOAD) over {@code signedPath}; the whole answer. */
    private String signedGet(String host, String path, String query, String signedPath) throws Exception {
        String when = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").format(ZonedDateTime.now(ZoneOffset.UTC));
        String scope = when.substring(0, 8) + "/us-east-1/s3/aws4_request";
        String canonical = "GET\n" + signedPath + "\n" + query + "\nhost:" + host + "\nx-amz-content-sha256:UNSIGNED-PAYLOAD"
                + "\nx-amz-date:" + when + "\n\nhost;x-amz-content-sha256;x-amz-date\nUNSIGNED-PAYLOAD";
        String signature = SigV4.signature(credential.secret(), when.substring(0, 8), "us-east-1", "s3",
                SigV4.stringToSign(when, scope, canonical));
        String request = "GET " + path + (query.isEmpty() ? "" : "?" + query) + " HTTP/1.1\r\nHost: " + host
                + "\r\nx-amz-date: " + when + "\r\nx-amz-content-sha256: UNSIGNED-PAYLOAD\r\nAuthorization: AWS4-HMAC-SHA256 Credential="
                + credential.accessKeyId() + "/" + scope + ", SignedHeaders=host;x-amz-content-sha256;x-amz-date, Signature="
                + signature + "\r\nConnection: close\r\n\r\n";
        try (Socket socket = new Socket("127.0.0.1", listener.port())) {
            socket.setSoTimeout(30_000);
            OutputStream out = socket.getOutputStream();
            out.write(request.getBytes(StandardCharsets.UTF_8));
            out.flush();
            InputStream in = socket.getInputStream();
            ByteArrayOutputStream answer = new ByteArrayOutputStream();
            in.transferTo(answer);
            return answer.toString(StandardCharsets.UTF_8);
        }
    }
}
