package io.granary.s3api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.granary.error.ErrorCode;
import io.granary.error.GranaryException;
import java.net.URI;
import org.junit.jupiter.api.Test;
import org.springframework.http.HttpMethod;
import org.springframework.mock.web.reactive.function.server.MockServerRequest;

/** Which bucket and key a request addresses, by its Host header and raw path. */
class S3AddressingTest {

    private final S3Addressing addressing = new S3Addressing("S3.Example.com");

    @Test
    void aNameUnderTheDomainIsTheBucketAndThePathTheKey() {
        assertThat(path("photos.s3.example.com:9000", "/2024/a%20b+c.jpg")).isEqualTo(new S3Path("photos", "2024/a b+c.jpg"));
        assertThat(path("PHOTOS.S3.EXAMPLE.COM", "/x")).isEqualTo(new S3Path("photos", "x"));
        assertThat(path("photos.s3.example.com.", "/x")).isEqualTo(new S3Path("photos", "x")); // the absolute form
        assertThat(path("a.b.s3.example.com", "/x")).isEqualTo(new S3Path("a.b", "x"));
        assertThat(path("photos.s3.example.com", "/")).isEqualTo(new S3Path("photos", null));
        assertThat(path("photos.s3.example.com", "")).isEqualTo(new S3Path("photos", null));
        assertThat(path("photos.s3.example.com", "//lead")).isEqualTo(new S3Path("photos", "/lead"));
        // The bucket position keeps the raw rest, undecoded, for an unsigned request's tenant/bucket split.
        assertThat(addressing.address(request("acme.s3.example.com", "/photos/a%2Fb")))
                .isEqualTo(new S3Address("acme", "/photos/a%2Fb"));
    }

    @Test
    void anyOtherHostIsPathStyle() {
        assertThat(path("s3.example.com:9000", "/photos/x")).isEqualTo(new S3Path("photos", "x"));
        assertThat(path("S3.EXAMPLE.COM", "/")).isEqualTo(new S3Path(null, null));
        assertThat(path("localhost:9000", "/photos/x")).isEqualTo(new S3Path("photos", "x"));
        assertThat(path("127.0.0.1:9000", "/photos")).isEqualTo(new S3Path("photos", null));
        assertThat(path("[::1]:9000", "/photos/x")).isEqualTo(new S3Path("photos", "x"));
        assertThat(path("photos.s3.example.com.evil.org", "/photos/x")).isEqualTo(new S3Path("photos", "x"));
        assertThat(path("xs3.example.com", "/photos/x")).isEqualTo(new S3Path("photos", "x"));
        assertThat(path(null, "/photos/x")).isEqualTo(new S3Path("photos", "x"));
        // No domain configured: always path style.
        assertThat(new S3Addressing(null).address(request("photos.s3.example.com", "/b/k")).path()).isEqualTo(new S3Path("b", "k"));
        assertThat(new S3Addressing(" ").address(request("photos.s3.example.com", "/b/k")).path()).isEqualTo(new S3Path("b", "k"));
    }

    /** A request's URI never holds one (it would not parse), but an x-amz-copy-source header may. */
    @Test
    void aBrokenEscapeInABucketIsTheClientsError() {
        assertThatThrownBy(() -> S3Path.parse("/b%zz/k")).isInstanceOf(GranaryException.class)
                .extracting(error -> ((GranaryException) error).code()).isEqualTo(ErrorCode.INVALID_BUCKET_NAME);
    }

    private S3Path path(String host, String rawPath) {
        return addressing.address(request(host, rawPath)).path();
    }

    private static MockServerRequest request(String host, String rawPath) {
        MockServerRequest.Builder builder = MockServerRequest.builder().method(HttpMethod.GET)
                .uri(URI.create("http://ignored" + rawPath));
        if (host != null) {
            builder.header("Host", host);
        }
        return builder.build();
    }
}
