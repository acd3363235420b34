package io.granary.s3api;

import io.granary.api.ApiTestSupport;
import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.apache.hc.client5.http.DnsResolver;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.http.MediaType;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.apache5.Apache5HttpClient;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3Configuration;
import software.amazon.awssdk.services.s3.model.S3Exception;

/** What the S3 API's tests share: the listener's address, fresh credentials, and running real clients. */
abstract class S3TestSupport extends ApiTestSupport {

    static final DateTimeFormatter AMZ_DATE = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);
    private static final HttpClient RAW = HttpClient.newHttpClient();

    @Autowired
    S3Listener listener;

    /** An access key id and its secret. */
    record Credential(String accessKeyId, String secret) {
    }

    /** A credential with {@code admin} in a fresh tenant. */
    Credential newCredential() {
        return newCredential(createTenant(unique("s3")));
    }

    /** A credential with {@code admin} in the tenant. */
    Credential newCredential(String tenantId) {
        Map<String, Object> issued = asRoot(http.post().uri("/v1/tenants/{t}/s3-credentials", tenantId)
                .contentType(MediaType.APPLICATION_JSON).bodyValue(Map.of("name", "test", "permissions", List.of("admin"))))
                .exchange().expectStatus().isCreated()
                .expectBody(new ParameterizedTypeReference<Map<String, Object>>() { }).returnResult().getResponseBody();
        return new Credential((String) issued.get("accessKeyId"), (String) issued.get("secretAccessKey"));
    }

    String endpoint() {
        return "http://127.0.0.1:" + listener.port();
    }

    /**
     * A synchronous SDK client of the credential, path style, with whole payloads signed and
     * checksums only where required, so the signed-SHA-256 path is what runs.
     */
    S3Client signedPayloadClient(Credential with) {
        return S3Client.builder()
                .endpointOverride(URI.create(endpoint()))
                .region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(with.accessKeyId(), with.secret())))
                .httpClient(UrlConnectionHttpClient.create())
                .serviceConfiguration(S3Configuration.builder().pathStyleAccessEnabled(true).chunkedEncodingEnabled(false).build())
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
                .build();
    }

    /** The S3 error {@code call} fails with; an assertion error when it does not fail. */
    static S3Exception catchS3(Runnable call) {
        try {
            call.run();
        } catch (S3Exception e) {
            return e;
        }
        throw new AssertionError("expected an S3 error");
    }

    /** {@link #signedRaw(Credential, String, String, String, Map, byte[], String)} with UNSIGNED-PAYLOAD. */
    HttpResponse<String> signedRaw(Credential signer, String method, String path, String query, Map<String, String> headers,
                                   byte[] body) throws Exception {
        return signedRaw(signer, method, path, query, headers, body, SigV4.UNSIGNED_PAYLOAD);
    }

    /**
     * A request signed here in its Authorization header over host, x-amz-content-sha256 and
     * x-amz-date, for what no SDK would send; {@code query} as given (sorted by the caller).
     */
    HttpResponse<String> signedRaw(Credential signer, String method, String path, String query, Map<String, String> headers,
                                   byte[] body, String payloadHash) throws Exception {
        String when = AMZ_DATE.format(Instant.now());
        String scope = when.substring(0, 8) + "/us-east-1/s3/aws4_request";
        List<String> signed = List.of("host", "x-amz-content-sha256", "x-amz-date");
        String canonical = SigV4.canonicalRequest(method, path, query, signed, Map.of("host", List.of("127.0.0.1:" + listener.port()),
                "x-amz-content-sha256", List.of(payloadHash), "x-amz-date", List.of(when)), payloadHash);
        String signature = SigV4.signature(signer.secret(), when.substring(0, 8), "us-east-1", "s3",
                SigV4.stringToSign(when, scope, canonical));
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(endpoint() + path + (query.isEmpty() ? "" : "?" + query)))
                .header("x-amz-date", when).header("x-amz-content-sha256", payloadHash)
                .header("Authorization", "AWS4-HMAC-SHA256 Credential=" + signer.accessKeyId() + "/" + scope
                        + ", SignedHeaders=" + String.join(";", signed) + ", Signature=" + signature)
                .method(method, body.length == 0 && !method.equals("PUT") && !method.equals("POST")
                        ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
        headers.forEach(request::header);
        return RAW.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** The virtual-host domain the tests' application runs with ({@code granary.s3.domain} in the test properties). */
    static final String DOMAIN = "s3.granary.test";

    /** Every host name a {@link #domainHttpClient()} resolved, in order. */
    final List<String> resolved = new CopyOnWriteArrayList<>();

    /** The S3 listener named by the domain: {@code http://s3.granary.test:<port>}. */
    String domainEndpoint() {
        return "http://" + DOMAIN + ":" + listener.port();
    }

    /**
     * An HTTP client for the SDK that resolves the domain and every name under it to 127.0.0.1
     * (nothing else resolves names under {@code .test}), and notes each name in {@link #resolved}:
     * the SDK sends requests to the host it chose, and a test sees which one that was.
     */
    SdkHttpClient domainHttpClient() {
        return Apache5HttpClient.builder().dnsResolver(new DnsResolver() {
            @Override
            public InetAddress[] resolve(String host) throws UnknownHostException {
                String name = host.toLowerCase(Locale.ROOT);
                if (!name.equals(DOMAIN) && !name.endsWith("." + DOMAIN)) {
                    throw new UnknownHostException(host);
                }
                resolved.add(name);
                return new InetAddress[] {InetAddress.getByAddress(host, new byte[] {127, 0, 0, 1})};
            }

            @Override
            public String resolveCanonicalHostname(String host) {
                return host;
            }
        }).build();
    }

    /** S3's ETag of a multipart object cut into parts of {@code partSize}: the MD5 of the parts' MD5s, then -N. */
    static String multipartEtag(byte[] data, int partSize) throws java.security.NoSuchAlgorithmException {
        java.security.MessageDigest ofParts = java.security.MessageDigest.getInstance("MD5");
        int parts = 0;
        for (int offset = 0; offset < data.length; offset += partSize, parts++) {
            java.security.MessageDigest part = java.security.MessageDigest.getInstance("MD5");
            part.update(data, offset, Math.min(partSize, data.length - offset));
            ofParts.update(part.digest());
        }
        return java.util.HexFormat.of().formatHex(ofParts.digest()) + "-" + parts;
    }

    /** The outcome of a command a test ran. */
    record Run(int exitCode, String stdout, String stderr) {
    }

    /** Runs {@code command} with these environment additions; {@code null} when it cannot be started (not installed). */
    static Run run(List<String> command, Map<String, String> environment, Path directory) throws Exception {
        Path out = Files.createTempFile("client", ".out");
        Path err = Files.createTempFile("client", ".err");
        try {
            ProcessBuilder builder = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile());
            if (directory != null) {
                builder.directory(directory.toFile());
            }
            builder.environment().putAll(environment);
            Process process;
            try {
                process = builder.start();
            } catch (IOException e) {
                return null;
            }
            if (!process.waitFor(180, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IOException(command + " did not finish in 180 s");
            }
            return new Run(process.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                    Files.readString(err, StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }
}
