package io.granary.s3api;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.CRC32;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What a hostile or broken client may send the S3 listener, by raw signed requests: XML that is
 * not well-formed, reaches for entities or is too large; aws-chunked bodies broken in the ways
 * {@link AwsChunkedTest} leaves out (cut inside a chunk, the wrong trailer, a decoded length
 * that undercounts); presigned URLs from the future, too long-lived or altered; and another
 * tenant's bucket names. Each is an S3 error below 500, and afterwards nothing was stored,
 * deleted, completed or created.
 */
class S3HostileInputTest extends S3TestSupport {


    private final HttpClient raw = HttpClient.newHttpClient();
    private Credential credential;
    private String bucket;

    @BeforeEach
    void bucket() throws Exception {
        credential = newCredential();
        bucket = unique("h");
        expectStatus(signedRaw(credential, "PUT", "/" + bucket, "", Map.of(), new byte[0]), 200);
        expectStatus(signedRaw(credential, "PUT", "/" + bucket + "/keep", "", Map.of(), bytes("kept")), 200);
    }

    @Test
    void brokenHostileAndOversizedXmlIsMalformedXmlAndChangesNothing() throws Exception {
        // DeleteObjects: an external entity, an entity expansion, no key at all, and 2 MiB and more.
        String xxe = "<?xml version=\"1.0\"?><!DOCTYPE Delete [<!ENTITY x SYSTEM \"file:///etc/hostname\">]>"
                + "<Delete><Object><Key>&x;</Key></Object><Object><Key>keep</Key></Object></Delete>";
        String laughs = "<?xml version=\"1.0\"?><!DOCTYPE Delete [<!ENTITY a \"keepkeepkeep\"><!ENTITY b \"&a;&a;&a;&a;\">]>"
                + "<Delete><Object><Key>&b;</Key></Object><Object><Key>keep</Key></Object></Delete>";
        String noKeys = "<Delete><Quiet>true</Quiet></Delete>";
        String huge = "<Delete><Object><Key>keep</Key></Object><!--" + "x".repeat(2 * 1024 * 1024) + "--></Delete>";
        for (String document : List.of(xxe, laughs, noKeys, huge)) {
            byte[] body = bytes(document);
            expectError(signedRaw(credential, "POST", "/" + bucket, "delete=", Map.of("Content-MD5", md5Base64(body)), body),
                    400, "MalformedXML");
        }
        expectStatus(signedRaw(credential, "HEAD", "/" + bucket + "/keep", "", Map.of(), new byte[0]), 200);

        // CompleteMultipartUpload: nothing completes, the upload stays open with its part.
        String uploadId = start("assembled");
        String etag = signedRaw(credential, "PUT", "/" + bucket + "/assembled", "partNumber=1&uploadId=" + uploadId, Map.of(),
                bytes("the only part")).headers().firstValue("ETag").orElseThrow();
        String part = "<Part><PartNumber>1</PartNumber><ETag>" + etag + "</ETag></Part>";
        for (String document : List.of("<CompleteMultipartUpload>" + part, "<Complete>" + part + "</Complete>",
                "<CompleteMultipartUpload><Part><PartNumber>one</PartNumber><ETag>" + etag + "</ETag></Part></CompleteMultipartUpload>",
                "<CompleteMultipartUpload><Part><PartNumber>99999999999</PartNumber><ETag>" + etag
                        + "</ETag></Part></CompleteMultipartUpload>",
                "<CompleteMultipartUpload><Part><ETag>" + etag + "</ETag></Part></CompleteMultipartUpload>",
                "<CompleteMultipartUpload>" + part + "<!--" + "y".repeat(4 * 1024 * 1024) + "--></CompleteMultipartUpload>")) {
            expectError(signedRaw(credential, "POST", "/" + bucket + "/assembled", "uploadId=" + uploadId, Map.of(), bytes(document)),
                    400, "MalformedXML");
        }
        expectError(signedRaw(credential, "HEAD", "/" + bucket + "/assembled", "", Map.of(), new byte[0]), 404, null);
        HttpResponse<String> parts = signedRaw(credential, "GET", "/" + bucket + "/assembled", "uploadId=" + uploadId, Map.of(), new byte[0]);
        expectStatus(parts, 200);
        assertThat(parts.body()).contains("<PartNumber>1</PartNumber>");

        // CreateBucket with a configuration past its 64 KiB: no bucket.
        String unmade = unique("never");
        expectError(signedRaw(credential, "PUT", "/" + unmade, "", Map.of(), bytes("<CreateBucketConfiguration><LocationConstraint>"
                + "z".repeat(65 * 1024) + "</LocationConstraint></CreateBucketConfiguration>")), 400, "MalformedXML");
        expectError(signedRaw(credential, "HEAD", "/" + unmade, "", Map.of(), new byte[0]), 404, null);

        // PutBucketCors: a rule inside a rule, and the wrong document; the bucket keeps no rules.
        String rule = "<AllowedOrigin>*</AllowedOrigin><AllowedMethod>GET</AllowedMethod>";
        for (String document : List.of("<CORSConfiguration><CORSRule><CORSRule>" + rule + "</CORSRule></CORSRule></CORSConfiguration>",
                "<CORSConfiguration><CORSRule>" + rule + "</CORSRule><CORSRule><CORSRule>" + rule
                        + "</CORSRule></CORSRule></CORSConfiguration>",
                "<LifecycleConfiguration><CORSRule>" + rule + "</CORSRule></LifecycleConfiguration>")) {
            byte[] body = bytes(document);
            expectError(signedRaw(credential, "PUT", "/" + bucket, "cors=", Map.of("Content-MD5", md5Base64(body)), body),
                    400, "MalformedXML");
        }
        expectError(signedRaw(credential, "GET", "/" + bucket, "cors=", Map.of(), new byte[0]), 404, "NoSuchCORSConfiguration");
    }

    @Test
    void anXmlDocumentOtherThanTheOneSignedChangesNothing() throws Exception {
        // Signed for one DeleteObjects document, sent with another (its own Content-MD5 right).
        byte[] signed = bytes("<Delete><Object><Key>other</Key></Object></Delete>");
        byte[] sent = bytes("<Delete><Object><Key>keep</Key></Object></Delete>");
        String signedHash = java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(signed));
        expectError(signedRaw(credential, "POST", "/" + bucket, "delete=", Map.of("Content-MD5", md5Base64(sent)), sent, signedHash),
                400, "XAmzContentSHA256Mismatch");
        expectStatus(signedRaw(credential, "HEAD", "/" + bucket + "/keep", "", Map.of(), new byte[0]), 200);
    }

    @Test
    void awsChunkedBodiesBrokenInOtherWaysStoreNothing() throws Exception {
        byte[] data = new byte[150_000];
        new Random(3).nextBytes(data);
        String crc = crc32(data);
        // Cut inside a chunk's data: the body ends with bytes of it still owed.
        byte[] whole = chunked(data, "x-amz-checksum-crc32:" + crc);
        expectChunkedRefused("cut", Map.of("x-amz-trailer", "x-amz-checksum-crc32"), data.length,
                java.util.Arrays.copyOf(whole, 100_000), 400, "IncompleteBody");
        // The trailer is another checksum than the one announced, or not a header line at all.
        expectChunkedRefused("other-trailer", Map.of("x-amz-trailer", "x-amz-checksum-crc32"), data.length,
                chunked(data, "x-amz-checksum-sha256:" + crc), 400, "InvalidRequest");
        expectChunkedRefused("no-colon", Map.of("x-amz-trailer", "x-amz-checksum-crc32"), data.length,
                chunked(data, "x-amz-checksum-crc32 " + crc), 400, "InvalidRequest");
        expectChunkedRefused("unknown-algorithm", Map.of("x-amz-trailer", "x-amz-checksum-md5"), data.length,
                chunked(data, "x-amz-checksum-md5:" + crc), 400, "InvalidRequest");
        // The decoded length undercounts (AwsChunkedTest has it overcounting), is missing, or is no number.
        expectChunkedRefused("short-length", Map.of("x-amz-trailer", "x-amz-checksum-crc32"), data.length - 1,
                chunked(data, "x-amz-checksum-crc32:" + crc), 400, null);
        expectChunkedRefused("no-length", Map.of("x-amz-trailer", "x-amz-checksum-crc32"), -1,
                chunked(data, "x-amz-checksum-crc32:" + crc), 411, "MissingContentLength");
        Map<String, String> notANumber = new LinkedHashMap<>(Map.of("x-amz-trailer", "x-amz-checksum-crc32"));
        notANumber.put("x-amz-decoded-content-length", "12ab");
        expectChunkedRefused("nan-length", notANumber, -1, chunked(data, "x-amz-checksum-crc32:" + crc), 400, "InvalidRequest");

        // Signed chunks claimed, unsigned chunks sent.
        byte[] unsignedChunks = chunked(data, null);
        HttpResponse<String> claimed = signedRaw(credential, "PUT", "/" + bucket + "/claimed", "", Map.of("Content-Encoding",
                "aws-chunked", "x-amz-decoded-content-length", String.valueOf(data.length)), unsignedChunks,
                "STREAMING-AWS4-HMAC-SHA256-PAYLOAD");
        expectError(claimed, 400, "InvalidRequest");
        expectError(signedRaw(credential, "HEAD", "/" + bucket + "/claimed", "", Map.of(), new byte[0]), 404, null);

        // A part with a broken body is not recorded.
        String uploadId = start("parted");
        HttpResponse<String> brokenPart = signedRaw(credential, "PUT", "/" + bucket + "/parted", "partNumber=1&uploadId=" + uploadId,
                Map.of("Content-Encoding", "aws-chunked", "x-amz-decoded-content-length", String.valueOf(data.length),
                        "x-amz-trailer", "x-amz-checksum-crc32"),
                java.util.Arrays.copyOf(whole, 100_000), "STREAMING-UNSIGNED-PAYLOAD-TRAILER");
        expectError(brokenPart, 400, "IncompleteBody");
        HttpResponse<String> parts = signedRaw(credential, "GET", "/" + bucket + "/parted", "uploadId=" + uploadId, Map.of(), new byte[0]);
        expectStatus(parts, 200);
        assertThat(parts.body()).doesNotContain("<Part>");
    }

    @Test
    void presignedUrlsFromTheFutureTooLongLivedOrAlteredStoreNothing() throws Exception {
        Instant now = Instant.now();
        URI future = presign("PUT", "/" + bucket + "/future", now.plus(Duration.ofHours(1)), 600);
        expectError(raw.send(HttpRequest.newBuilder(future).PUT(HttpRequest.BodyPublishers.ofString("from the future")).build(),
                HttpResponse.BodyHandlers.ofString()), 403, "AccessDenied");
        URI expired = presign("PUT", "/" + bucket + "/expired", now.minus(Duration.ofMinutes(20)), 60);
        expectError(raw.send(HttpRequest.newBuilder(expired).PUT(HttpRequest.BodyPublishers.ofString("too late")).build(),
                HttpResponse.BodyHandlers.ofString()), 403, "AccessDenied");
        URI tooLong = presign("PUT", "/" + bucket + "/forever", now, 7 * 24 * 3600 + 1);
        expectError(raw.send(HttpRequest.newBuilder(tooLong).PUT(HttpRequest.BodyPublishers.ofString("forever")).build(),
                HttpResponse.BodyHandlers.ofString()), 400, "AuthorizationHeaderMalformed");
        // Signed for one key, sent for another.
        URI signed = presign("PUT", "/" + bucket + "/signed-for", now, 600);
        URI altered = URI.create(signed.toString().replace("/signed-for?", "/sent-to?"));
        expectError(raw.send(HttpRequest.newBuilder(altered).PUT(HttpRequest.BodyPublishers.ofString("moved")).build(),
                HttpResponse.BodyHandlers.ofString()), 403, "SignatureDoesNotMatch");
        for (String key : List.of("future", "expired", "forever", "signed-for", "sent-to")) {
            expectError(signedRaw(credential, "HEAD", "/" + bucket + "/" + key, "", Map.of(), new byte[0]), 404, null);
        }
        // The same URL, unaltered, works: the refusals above were about what was wrong with them.
        HttpResponse<String> good = raw.send(HttpRequest.newBuilder(signed).PUT(HttpRequest.BodyPublishers.ofString("fine")).build(),
                HttpResponse.BodyHandlers.ofString());
        expectStatus(good, 200);
    }

    @Test
    void anotherTenantsBucketNamesAreNoSuchBucketAndStayUntouched() throws Exception {
        Credential other = newCredential();
        String path = "/" + bucket;
        expectError(signedRaw(other, "PUT", path + "/planted", "", Map.of(), bytes("planted")), 404, "NoSuchBucket");
        expectError(signedRaw(other, "GET", path + "/keep", "", Map.of(), new byte[0]), 404, "NoSuchBucket");
        expectError(signedRaw(other, "DELETE", path + "/keep", "", Map.of(), new byte[0]), 404, "NoSuchBucket");
        expectError(signedRaw(other, "GET", path, "list-type=2", Map.of(), new byte[0]), 404, "NoSuchBucket");
        expectError(signedRaw(other, "POST", path + "/started", "uploads=", Map.of(), new byte[0]), 404, "NoSuchBucket");
        byte[] delete = bytes("<Delete><Object><Key>keep</Key></Object></Delete>");
        expectError(signedRaw(other, "POST", path, "delete=", Map.of("Content-MD5", md5Base64(delete)), delete), 404, "NoSuchBucket");
        expectError(signedRaw(other, "DELETE", path, "", Map.of(), new byte[0]), 404, "NoSuchBucket");
        // Copying out of it into a bucket of its own: the source does not exist for it.
        String own = unique("own");
        expectStatus(signedRaw(other, "PUT", "/" + own, "", Map.of(), new byte[0]), 200);
        expectError(signedRaw(other, "PUT", "/" + own + "/stolen", "", Map.of("x-amz-copy-source", bucket + "/keep"), new byte[0]),
                404, "NoSuchBucket");
        expectError(signedRaw(other, "HEAD", "/" + own + "/stolen", "", Map.of(), new byte[0]), 404, null);

        // The owner's bucket is as it was: its one object, nothing planted or started.
        HttpResponse<String> listing = signedRaw(credential, "GET", path, "list-type=2", Map.of(), new byte[0]);
        expectStatus(listing, 200);
        assertThat(keys(listing.body())).containsExactly("keep");
        HttpResponse<String> uploads = signedRaw(credential, "GET", path, "uploads=", Map.of(), new byte[0]);
        expectStatus(uploads, 200);
        assertThat(uploads.body()).doesNotContain("<Upload>");
        assertThat(signedRaw(credential, "GET", path + "/keep", "", Map.of(), new byte[0]).body()).isEqualTo("kept");
        // The other tenant may create the same name: a bucket of its own, empty.
        expectStatus(signedRaw(other, "PUT", path, "", Map.of(), new byte[0]), 200);
        assertThat(keys(signedRaw(other, "GET", path, "list-type=2", Map.of(), new byte[0]).body())).isEmpty();
    }

    private String start(String key) throws Exception {
        HttpResponse<String> started = signedRaw(credential, "POST", "/" + bucket + "/" + key, "uploads=", Map.of(), new byte[0]);
        expectStatus(started, 200);
        Matcher id = Pattern.compile("<UploadId>([^<]+)</UploadId>").matcher(started.body());
        assertThat(id.find()).as(started.body()).isTrue();
        return id.group(1);
    }

    private void expectChunkedRefused(String key, Map<String, String> extra, long decodedLength, byte[] body, int status,
                                      String code) throws Exception {
        Map<String, String> headers = new LinkedHashMap<>(extra);
        headers.put("Content-Encoding", "aws-chunked");
        if (decodedLength >= 0) {
            headers.put("x-amz-decoded-content-length", String.valueOf(decodedLength));
        }
        HttpResponse<String> response = signedRaw(credential, "PUT", "/" + bucket + "/" + key, "", headers, body,
                "STREAMING-UNSIGNED-PAYLOAD-TRAILER");
        expectError(response, status, code);
        expectError(signedRaw(credential, "HEAD", "/" + bucket + "/" + key, "", Map.of(), new byte[0]), 404, null);
    }

    /** {@code data} as unsigned aws-chunked in 64 KiB chunks, then the trailer line (none for {@code null}). */
    private static byte[] chunked(byte[] data, String trailer) {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        for (int offset = 0; offset < data.length; offset += 64 * 1024) {
            int size = Math.min(64 * 1024, data.length - offset);
            body.writeBytes((Integer.toHexString(size) + "\r\n").getBytes(StandardCharsets.US_ASCII));
            body.write(data, offset, size);
            body.writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII));
        }
        body.writeBytes(("0\r\n" + (trailer == null ? "" : trailer + "\r\n") + "\r\n").getBytes(StandardCharsets.US_ASCII));
        return body.toByteArray();
    }

    private static void expectError(HttpResponse<String> response, int status, String code) {
        assertThat(response.statusCode()).as("%s %s: %s", response.request().method(), response.request().uri(), response.body())
                .isEqualTo(status).isLessThan(500);
        if (code != null) {
            assertThat(response.body()).contains("<Code>" + code + "</Code>");
        }
    }

    private static void expectStatus(HttpResponse<String> response, int status) {
        assertThat(response.statusCode()).as("%s %s: %s", response.request().method(), response.request().uri(), response.body())
                .isEqualTo(status);
    }



    /** A presigned URL as an SDK makes one, signed at {@code signedAt} for {@code expires} seconds. */
    private URI presign(String method, String path, Instant signedAt, long expires) {
        String when = AMZ_DATE.format(signedAt);
        String scope = when.substring(0, 8) + "/us-east-1/s3/aws4_request";
        String query = "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential="
                + URLEncoder.encode(credential.accessKeyId() + "/" + scope, StandardCharsets.UTF_8)
                + "&X-Amz-Date=" + when + "&X-Amz-Expires=" + expires + "&X-Amz-SignedHeaders=host";
        String canonical = SigV4.canonicalRequest(method, path, query, List.of("host"),
                Map.of("host", List.of("127.0.0.1:" + listener.port())), SigV4.UNSIGNED_PAYLOAD);
        String signature = SigV4.signature(credential.secret(), when.substring(0, 8), "us-east-1", "s3",
                SigV4.stringToSign(when, scope, canonical));
        return URI.create(endpoint() + path + "?" + query + "&X-Amz-Signature=" + signature);
    }

    private static List<String> keys(String listing) {
        List<String> keys = new ArrayList<>();
        Matcher key = Pattern.compile("<Key>([^<]*)</Key>").matcher(listing);
        while (key.find()) {
            keys.add(key.group(1));
        }
        return keys;
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static String md5Base64(byte[] body) throws Exception {
        return Base64.getEncoder().encodeToString(MessageDigest.getInstance("MD5").digest(body));
    }

    private static String crc32(byte[] data) {
        CRC32 crc = new CRC32();
        crc.update(data);
        return Base64.getEncoder().encodeToString(java.nio.ByteBuffer.allocate(4).putInt((int) crc.getValue()).array());
    }
}
