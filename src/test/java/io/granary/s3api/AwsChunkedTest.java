package io.granary.s3api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.zip.CRC32;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.ResponseBytes;
import software.amazon.awssdk.core.async.AsyncRequestBody;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.core.sync.ResponseTransformer;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3AsyncClient;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.ChecksumAlgorithm;
import software.amazon.awssdk.services.s3.model.ChecksumMode;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;

/**
 * aws-chunked bodies: the AWS SDK's own defaults (signed chunks with a CRC32 trailer over plain
 * HTTP, sync and async clients), and bodies made by hand in each payload mode, valid and broken:
 * a broken one is an S3 error and stores nothing.
 */
class AwsChunkedTest extends S3TestSupport {

    private static final DateTimeFormatter AMZ_DATE = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'");

    private String accessKeyId;
    private String secret;
    private String bucket;
    private S3Client s3;
    private final HttpClient raw = HttpClient.newHttpClient();

    @BeforeEach
    void bucket() {
        Credential credential = newCredential();
        accessKeyId = credential.accessKeyId();
        secret = credential.secret();
        // The SDK as a user would build it: no checksum or chunking settings changed.
        s3 = S3Client.builder().endpointOverride(URI.create(endpoint())).region(Region.US_EAST_1).forcePathStyle(true)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(accessKeyId, secret)))
                .httpClient(UrlConnectionHttpClient.create()).build();
        bucket = unique("c");
        s3.createBucket(b -> b.bucket(bucket));
    }

    @AfterEach
    void close() {
        s3.close();
    }

    @Test
    void theSdksDefaultUploadsAreDecodedAndChecked() {
        for (int size : List.of(0, 1, 100 * 1024, 1024 * 1024 + 3)) {
            byte[] data = random(size);
            String etag = s3.putObject(p -> p.bucket(bucket).key("sync-" + size), RequestBody.fromBytes(data)).eTag();
            assertThat(etag).isEqualTo("\"" + hex("MD5", data) + "\"");
            assertThat(s3.getObjectAsBytes(g -> g.bucket(bucket).key("sync-" + size)).asByteArray()).isEqualTo(data);
        }
        try (S3AsyncClient async = S3AsyncClient.builder().endpointOverride(URI.create(endpoint())).region(Region.US_EAST_1)
                .forcePathStyle(true)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(accessKeyId, secret))).build()) {
            byte[] data = random(300 * 1024 + 7);
            async.putObject(p -> p.bucket(bucket).key("async"), AsyncRequestBody.fromBytes(data)).join();
            assertThat(s3.getObjectAsBytes(g -> g.bucket(bucket).key("async")).asByteArray()).isEqualTo(data);
        }
    }

    @Test
    void theChecksumAnObjectWasSentWithIsKeptAndReturnedWhenAskedFor() throws Exception {
        byte[] data = random(200 * 1024 + 5);
        // The SDK's default: a CRC32 in the aws-chunked trailer.
        s3.putObject(p -> p.bucket(bucket).key("crc"), RequestBody.fromBytes(data));
        java.util.zip.CRC32 crc = new java.util.zip.CRC32();
        crc.update(data);
        String crc32 = java.util.Base64.getEncoder().encodeToString(java.nio.ByteBuffer.allocate(4).putInt((int) crc.getValue()).array());
        HeadObjectResponse head = s3.headObject(h -> h.bucket(bucket).key("crc").checksumMode(ChecksumMode.ENABLED));
        assertThat(head.checksumCRC32()).isEqualTo(crc32);
        assertThat(head.checksumTypeAsString()).isEqualTo("FULL_OBJECT");
        // The SDK checks a returned checksum against the bytes it read (its default validation).
        ResponseBytes<GetObjectResponse> got = s3.getObjectAsBytes(g -> g.bucket(bucket).key("crc").checksumMode(ChecksumMode.ENABLED));
        assertThat(got.asByteArray()).isEqualTo(data);
        assertThat(got.response().checksumCRC32()).isEqualTo(crc32);
        // Not unless asked, and never for a range.
        assertThat(s3.headObject(h -> h.bucket(bucket).key("crc")).checksumCRC32()).isNull();
        assertThat(s3.getObject(g -> g.bucket(bucket).key("crc").range("bytes=0-9").checksumMode(ChecksumMode.ENABLED),
                ResponseTransformer.toBytes()).response().checksumCRC32()).isNull();

        // A whole body's header checksum (SHA-256 here) is kept the same way, and a copy keeps it.
        s3.putObject(p -> p.bucket(bucket).key("sha").checksumAlgorithm(ChecksumAlgorithm.SHA256), RequestBody.fromBytes(data));
        String sha256 = java.util.Base64.getEncoder().encodeToString(java.security.MessageDigest.getInstance("SHA-256").digest(data));
        assertThat(s3.headObject(h -> h.bucket(bucket).key("sha").checksumMode(ChecksumMode.ENABLED)).checksumSHA256()).isEqualTo(sha256);
        s3.copyObject(c -> c.sourceBucket(bucket).sourceKey("sha").destinationBucket(bucket).destinationKey("sha-copy"));
        assertThat(s3.headObject(h -> h.bucket(bucket).key("sha-copy").checksumMode(ChecksumMode.ENABLED)).checksumSHA256())
                .isEqualTo(sha256);
    }

    @Test
    void crc64NvmeChecksumsAreCheckedAndKept() throws Exception {
        // CRC-64/NVME's check value: the CRC of "123456789" is 0xAE8B14860A799888.
        byte[] check = "123456789".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        String expected = java.util.Base64.getEncoder().encodeToString(java.nio.ByteBuffer.allocate(8).putLong(0xAE8B14860A799888L).array());
        Credential signer = new Credential(accessKeyId, secret);
        assertThat(signedRaw(signer, "PUT", "/" + bucket + "/nvme", "", Map.of("x-amz-checksum-crc64nvme", expected), check)
                .statusCode()).isEqualTo(200);
        assertThat(s3.headObject(h -> h.bucket(bucket).key("nvme").checksumMode(ChecksumMode.ENABLED)).checksumCRC64NVME())
                .isEqualTo(expected);
        HttpResponse<String> wrong = signedRaw(signer, "PUT", "/" + bucket + "/nvme", "",
                Map.of("x-amz-checksum-crc64nvme", "AAAAAAAAAAA="), "other bytes".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        assertThat(wrong.statusCode()).isEqualTo(400);
        assertThat(wrong.body()).contains("<Code>BadDigest</Code>");
        assertThat(s3.getObjectAsBytes(g -> g.bucket(bucket).key("nvme")).asByteArray()).as("kept after the refusal").isEqualTo(check);

        // The SDK's own: a CRC64NVME trailer on an aws-chunked body, checked again by its reader.
        byte[] data = random(300 * 1024 + 1);
        s3.putObject(p -> p.bucket(bucket).key("sdk-nvme").checksumAlgorithm(ChecksumAlgorithm.CRC64_NVME), RequestBody.fromBytes(data));
        ResponseBytes<GetObjectResponse> got = s3.getObjectAsBytes(g -> g.bucket(bucket).key("sdk-nvme").checksumMode(ChecksumMode.ENABLED));
        assertThat(got.asByteArray()).isEqualTo(data);
        assertThat(got.response().checksumCRC64NVME()).isNotNull();
    }

    @Test
    void aChecksumHeaderWithChunksIsCheckedToo() {
        // Given the value beforehand, the SDK sends it as a header, the body still aws-chunked.
        byte[] data = random(70 * 1024);
        java.util.zip.CRC32 crc = new java.util.zip.CRC32();
        crc.update(data);
        String crc32 = java.util.Base64.getEncoder().encodeToString(java.nio.ByteBuffer.allocate(4).putInt((int) crc.getValue()).array());
        s3.putObject(p -> p.bucket(bucket).key("right").checksumCRC32(crc32), RequestBody.fromBytes(data));
        assertThat(s3.headObject(h -> h.bucket(bucket).key("right").checksumMode(ChecksumMode.ENABLED)).checksumCRC32()).isEqualTo(crc32);
        assertThat(catchS3(() -> s3.putObject(p -> p.bucket(bucket).key("wrong").checksumCRC32("AAAAAA=="),
                RequestBody.fromBytes(data))).statusCode()).isEqualTo(400);
        assertThatThrownBy(() -> s3.headObject(h -> h.bucket(bucket).key("wrong"))).isInstanceOf(NoSuchKeyException.class);
    }

    @Test
    void multipartUploadsWithTheSdksDefaultsCompleteAndAbort() {
        byte[] first = random(5 * 1024 * 1024);
        byte[] second = random(1024 * 1024 + 11);
        String uploadId = s3.createMultipartUpload(c -> c.bucket(bucket).key("big.bin").contentType("application/x-test")
                .metadata(Map.of("part", "ed"))).uploadId();
        String etag1 = s3.uploadPart(u -> u.bucket(bucket).key("big.bin").uploadId(uploadId).partNumber(1),
                RequestBody.fromBytes(first)).eTag();
        String etag2 = s3.uploadPart(u -> u.bucket(bucket).key("big.bin").uploadId(uploadId).partNumber(2),
                RequestBody.fromBytes(second)).eTag();
        assertThat(s3.listParts(l -> l.bucket(bucket).key("big.bin").uploadId(uploadId)).parts())
                .extracting(part -> part.partNumber() + "=" + part.eTag()).containsExactly("1=" + etag1, "2=" + etag2);
        s3.completeMultipartUpload(c -> c.bucket(bucket).key("big.bin").uploadId(uploadId).multipartUpload(m -> m.parts(
                CompletedPart.builder().partNumber(1).eTag(etag1).build(), CompletedPart.builder().partNumber(2).eTag(etag2).build())));
        byte[] whole = new byte[first.length + second.length];
        System.arraycopy(first, 0, whole, 0, first.length);
        System.arraycopy(second, 0, whole, first.length, second.length);
        assertThat(s3.getObjectAsBytes(g -> g.bucket(bucket).key("big.bin")).asByteArray()).isEqualTo(whole);
        assertThat(s3.headObject(h -> h.bucket(bucket).key("big.bin")).metadata()).containsEntry("part", "ed");

        String abandoned = s3.createMultipartUpload(c -> c.bucket(bucket).key("never.bin")).uploadId();
        s3.uploadPart(u -> u.bucket(bucket).key("never.bin").uploadId(abandoned).partNumber(1), RequestBody.fromBytes(second));
        s3.abortMultipartUpload(a -> a.bucket(bucket).key("never.bin").uploadId(abandoned));
        assertThatThrownBy(() -> s3.listParts(l -> l.bucket(bucket).key("never.bin").uploadId(abandoned)))
                .isInstanceOf(software.amazon.awssdk.services.s3.model.S3Exception.class);
        assertThatThrownBy(() -> s3.headObject(h -> h.bucket(bucket).key("never.bin"))).isInstanceOf(NoSuchKeyException.class);
    }

    @Test
    void handMadeBodiesInEveryModeAreStoredAndBrokenOnesAreNot() throws Exception {
        byte[] data = random(200_000);
        assertThat(put("signed", Mode.SIGNED, data, Break.NOTHING).statusCode()).isEqualTo(200);
        assertThat(s3.getObjectAsBytes(g -> g.bucket(bucket).key("signed")).asByteArray()).isEqualTo(data);
        assertThat(put("signed-trailer", Mode.SIGNED_TRAILER, data, Break.NOTHING).statusCode()).isEqualTo(200);
        assertThat(put("unsigned-trailer", Mode.UNSIGNED_TRAILER, data, Break.NOTHING).statusCode()).isEqualTo(200);
        assertThat(s3.getObjectAsBytes(g -> g.bucket(bucket).key("unsigned-trailer")).asByteArray()).isEqualTo(data);

        expectRefused(put("bad-chunk", Mode.SIGNED, data, Break.CHUNK_SIGNATURE), 403, "SignatureDoesNotMatch", "bad-chunk");
        expectRefused(put("bad-trailer-sig", Mode.SIGNED_TRAILER, data, Break.TRAILER_SIGNATURE), 403,
                "SignatureDoesNotMatch", "bad-trailer-sig");
        expectRefused(put("bad-crc", Mode.UNSIGNED_TRAILER, data, Break.CHECKSUM), 400, "BadDigest", "bad-crc");
        expectRefused(put("truncated", Mode.SIGNED, data, Break.TRUNCATED), 400, "IncompleteBody", "truncated");
        expectRefused(put("wrong-length", Mode.UNSIGNED_TRAILER, data, Break.DECODED_LENGTH), 400, "IncompleteBody",
                "wrong-length");
        expectRefused(put("garbage", Mode.UNSIGNED_TRAILER, data, Break.SIZE_LINE), 400, "InvalidRequest", "garbage");
    }

    private void expectRefused(HttpResponse<String> response, int status, String code, String key) {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
        assertThat(response.body()).contains("<Code>" + code + "</Code>");
        assertThatThrownBy(() -> s3.headObject(h -> h.bucket(bucket).key(key))).isInstanceOf(NoSuchKeyException.class);
    }

    private enum Mode { SIGNED, SIGNED_TRAILER, UNSIGNED_TRAILER }

    private enum Break { NOTHING, CHUNK_SIGNATURE, TRAILER_SIGNATURE, CHECKSUM, TRUNCATED, DECODED_LENGTH, SIZE_LINE }

    /** Builds and sends an aws-chunked PUT of {@code data} in 64 KiB chunks, broken as asked. */
    private HttpResponse<String> put(String key, Mode mode, byte[] data, Break broken) throws Exception {
        String when = AMZ_DATE.format(ZonedDateTime.now(ZoneOffset.UTC));
        String date = when.substring(0, 8);
        String scope = date + "/us-east-1/s3/aws4_request";
        String payload = switch (mode) {
            case SIGNED -> "STREAMING-AWS4-HMAC-SHA256-PAYLOAD";
            case SIGNED_TRAILER -> "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER";
            case UNSIGNED_TRAILER -> "STREAMING-UNSIGNED-PAYLOAD-TRAILER";
        };
        long decoded = broken == Break.DECODED_LENGTH ? data.length + 1 : data.length;
        String path = "/" + bucket + "/" + key;
        String trailerHeader = mode == Mode.SIGNED ? null : "x-amz-checksum-crc32";
        StringBuilder canonicalHeaders = new StringBuilder("content-encoding:aws-chunked\nhost:127.0.0.1:" + listener.port() + "\n"
                + "x-amz-content-sha256:" + payload + "\nx-amz-date:" + when + "\nx-amz-decoded-content-length:" + decoded + "\n");
        String signedHeaders = "content-encoding;host;x-amz-content-sha256;x-amz-date;x-amz-decoded-content-length";
        if (trailerHeader != null) {
            canonicalHeaders.append("x-amz-trailer:").append(trailerHeader).append('\n');
            signedHeaders += ";x-amz-trailer";
        }
        String canonical = "PUT\n" + path + "\n\n" + canonicalHeaders + "\n" + signedHeaders + "\n" + payload;
        String seed = SigV4.signature(secret, date, "us-east-1", "s3", SigV4.stringToSign(when, scope, canonical));

        ByteArrayOutputStream body = new ByteArrayOutputStream();
        List<byte[]> pieces = new java.util.ArrayList<>();
        for (int offset = 0; offset < data.length; offset += 64 * 1024) {
            pieces.add(java.util.Arrays.copyOfRange(data, offset, Math.min(offset + 64 * 1024, data.length)));
        }
        pieces.add(new byte[0]); // the final chunk
        String previous = seed;
        for (int index = 0; index < pieces.size(); index++) {
            byte[] piece = pieces.get(index);
            boolean last = piece.length == 0;
            if (broken == Break.TRUNCATED && last) {
                break;
            }
            String line = broken == Break.SIZE_LINE && index == 1 ? "zz" : Integer.toHexString(piece.length);
            if (mode != Mode.UNSIGNED_TRAILER) {
                String signature = SigV4.signature(secret, date, "us-east-1", "s3", "AWS4-HMAC-SHA256-PAYLOAD\n" + when + "\n"
                        + scope + "\n" + previous + "\n" + SigV4.sha256Hex("") + "\n" + hex("SHA-256", piece));
                previous = signature;
                line += ";chunk-signature=" + (broken == Break.CHUNK_SIGNATURE && index == 1 ? "0".repeat(64) : signature);
            }
            body.writeBytes((line + "\r\n").getBytes(StandardCharsets.US_ASCII));
            body.writeBytes(piece);
            if (!last) {
                body.writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII));
            }
        }
        if (broken != Break.TRUNCATED) {
            if (trailerHeader == null) {
                body.writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII));
            } else {
                CRC32 crc = new CRC32();
                crc.update(broken == Break.CHECKSUM ? new byte[] {1} : data);
                byte[] value = java.nio.ByteBuffer.allocate(4).putInt((int) crc.getValue()).array();
                String trailer = trailerHeader + ":" + Base64.getEncoder().encodeToString(value);
                body.writeBytes((trailer + "\r\n").getBytes(StandardCharsets.US_ASCII));
                if (mode == Mode.SIGNED_TRAILER) {
                    String signature = SigV4.signature(secret, date, "us-east-1", "s3", "AWS4-HMAC-SHA256-TRAILER\n" + when + "\n"
                            + scope + "\n" + previous + "\n" + SigV4.sha256Hex(trailer + "\n"));
                    if (broken == Break.TRAILER_SIGNATURE) {
                        signature = "f".repeat(64);
                    }
                    body.writeBytes(("x-amz-trailer-signature:" + signature + "\r\n").getBytes(StandardCharsets.US_ASCII));
                }
                body.writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII));
            }
        }
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(endpoint() + path))
                .header("Content-Encoding", "aws-chunked").header("x-amz-content-sha256", payload).header("x-amz-date", when)
                .header("x-amz-decoded-content-length", String.valueOf(decoded))
                .header("Authorization", "AWS4-HMAC-SHA256 Credential=" + accessKeyId + "/" + scope + ", SignedHeaders="
                        + signedHeaders + ", Signature=" + seed)
                .PUT(HttpRequest.BodyPublishers.ofByteArray(body.toByteArray()));
        if (trailerHeader != null) {
            request.header("x-amz-trailer", trailerHeader);
        }
        return raw.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static byte[] random(int size) {
        byte[] data = new byte[size];
        new Random(size).nextBytes(data);
        return data;
    }

    private static String hex(String algorithm, byte[] data) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance(algorithm).digest(data));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
