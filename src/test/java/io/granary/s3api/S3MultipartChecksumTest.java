package io.granary.s3api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.zip.CRC32;
import java.util.zip.CRC32C;
import java.util.zip.Checksum;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.http.MediaType;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.ResponseBytes;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.crt.checksums.CRC64NVME;
import software.amazon.awssdk.http.apache5.Apache5HttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.ChecksumAlgorithm;
import software.amazon.awssdk.services.s3.model.ChecksumMode;
import software.amazon.awssdk.services.s3.model.ChecksumType;
import software.amazon.awssdk.services.s3.model.CompleteMultipartUploadResponse;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.CopyPartResult;
import software.amazon.awssdk.services.s3.model.CreateMultipartUploadResponse;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.ListPartsResponse;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.UploadPartResponse;

/**
 * S3's checksums of multipart uploads with the AWS SDK for Java v2's synchronous client, default
 * settings: COMPOSITE (CRC32, SHA256) and FULL_OBJECT (CRC32C, CRC64NVME) uploads, each part
 * checked and kept, listed by ListParts, checked again on completion, and the object's checksum
 * kept and returned on reads. Every expected value is computed here over the data with the JDK's
 * CRC32/CRC32C/MessageDigest or the CRT's CRC64NVME. Refusals store nothing and leave the upload open.
 */
class S3MultipartChecksumTest extends S3TestSupport {

    private static final int PART = 5 * 1024 * 1024;

    private S3Client s3;
    private String bucket;
    private final byte[] first = random(PART, 1);
    private final byte[] second = random(PART, 2);
    private final byte[] third = random(1024 * 1024 + 3, 3);
    private final byte[] whole = concat(first, second, third);

    @BeforeEach
    void bucket() {
        s3 = client(newCredential(), RequestChecksumCalculation.WHEN_SUPPORTED);
        bucket = unique("mpck");
        s3.createBucket(b -> b.bucket(bucket));
    }

    @AfterEach
    void close() {
        s3.close();
    }

    /**
     * A client as a user would build it, computing request checksums {@code when} told (the
     * default is WHEN_SUPPORTED); Apache's HTTP client, which reads an error answered before the
     * whole body was sent.
     */
    private S3Client client(Credential credential, RequestChecksumCalculation when) {
        return S3Client.builder().endpointOverride(URI.create(endpoint())).region(Region.US_EAST_1).forcePathStyle(true)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(credential.accessKeyId(),
                        credential.secret())))
                .requestChecksumCalculation(when).httpClient(Apache5HttpClient.create()).build();
    }

    @Test
    void aCompositeCrc32UploadKeepsEveryPartsChecksumAndTheirChecksum() {
        CreateMultipartUploadResponse created = s3.createMultipartUpload(c -> c.bucket(bucket).key("composite.bin")
                .checksumAlgorithm(ChecksumAlgorithm.CRC32));
        assertThat(created.checksumAlgorithm()).isEqualTo(ChecksumAlgorithm.CRC32);
        assertThat(created.checksumType()).isEqualTo(ChecksumType.COMPOSITE);
        String id = created.uploadId();
        List<CompletedPart> parts = new ArrayList<>();
        int n = 1;
        for (byte[] part : List.of(first, second, third)) {
            int number = n++;
            UploadPartResponse uploaded = s3.uploadPart(u -> u.bucket(bucket).key("composite.bin").uploadId(id).partNumber(number)
                    .checksumAlgorithm(ChecksumAlgorithm.CRC32), RequestBody.fromBytes(part));
            assertThat(uploaded.checksumCRC32()).isEqualTo(crc(new CRC32(), part));
            parts.add(CompletedPart.builder().partNumber(number).eTag(uploaded.eTag()).checksumCRC32(uploaded.checksumCRC32()).build());
        }
        ListPartsResponse listed = s3.listParts(l -> l.bucket(bucket).key("composite.bin").uploadId(id));
        assertThat(listed.checksumAlgorithm()).isEqualTo(ChecksumAlgorithm.CRC32);
        assertThat(listed.checksumType()).isEqualTo(ChecksumType.COMPOSITE);
        assertThat(listed.parts()).extracting(part -> part.checksumCRC32())
                .containsExactly(crc(new CRC32(), first), crc(new CRC32(), second), crc(new CRC32(), third));
        assertThat(s3.listMultipartUploads(l -> l.bucket(bucket)).uploads())
                .extracting(upload -> upload.checksumAlgorithmAsString() + " " + upload.checksumTypeAsString())
                .containsExactly("CRC32 COMPOSITE");

        CompleteMultipartUploadResponse done = s3.completeMultipartUpload(c -> c.bucket(bucket).key("composite.bin").uploadId(id)
                .multipartUpload(m -> m.parts(parts)));
        // The CRC32 of the three parts' CRC32s, one after another, and the number of parts.
        String expected = crc(new CRC32(), concat(decode(crc(new CRC32(), first)), decode(crc(new CRC32(), second)),
                decode(crc(new CRC32(), third)))) + "-3";
        assertThat(done.checksumCRC32()).isEqualTo(expected);
        assertThat(done.checksumType()).isEqualTo(ChecksumType.COMPOSITE);

        HeadObjectResponse head = s3.headObject(h -> h.bucket(bucket).key("composite.bin").checksumMode(ChecksumMode.ENABLED));
        assertThat(head.checksumCRC32()).isEqualTo(expected);
        assertThat(head.checksumType()).isEqualTo(ChecksumType.COMPOSITE);
        ResponseBytes<GetObjectResponse> got = s3.getObjectAsBytes(g -> g.bucket(bucket).key("composite.bin")
                .checksumMode(ChecksumMode.ENABLED));
        assertThat(got.asByteArray()).isEqualTo(whole);
        assertThat(got.response().checksumCRC32()).isEqualTo(expected);
        // A part read answers with that part's own checksum.
        ResponseBytes<GetObjectResponse> part2 = s3.getObjectAsBytes(g -> g.bucket(bucket).key("composite.bin").partNumber(2)
                .checksumMode(ChecksumMode.ENABLED));
        assertThat(part2.asByteArray()).isEqualTo(second);
        assertThat(part2.response().checksumCRC32()).isEqualTo(crc(new CRC32(), second));
        // A copy keeps the checksum.
        s3.copyObject(c -> c.sourceBucket(bucket).sourceKey("composite.bin").destinationBucket(bucket).destinationKey("copy.bin"));
        assertThat(s3.headObject(h -> h.bucket(bucket).key("copy.bin").checksumMode(ChecksumMode.ENABLED)).checksumCRC32())
                .isEqualTo(expected);
    }

    @Test
    void fullObjectCrc32cAndCrc64nvmeUploadsGetTheCrcOfTheWholeObject() {
        String crc32c = crc(new CRC32C(), whole);
        upload("crc32c.bin", ChecksumAlgorithm.CRC32_C, ChecksumType.FULL_OBJECT, crc32c);
        HeadObjectResponse head = s3.headObject(h -> h.bucket(bucket).key("crc32c.bin").checksumMode(ChecksumMode.ENABLED));
        assertThat(head.checksumCRC32C()).isEqualTo(crc32c);
        assertThat(head.checksumType()).isEqualTo(ChecksumType.FULL_OBJECT);

        // CRC64NVME is FULL_OBJECT without being asked.
        String crc64 = crc(new CRC64NVME(), whole);
        upload("crc64.bin", ChecksumAlgorithm.CRC64_NVME, null, null);
        // The SDK checks the whole object's CRC against the bytes it read.
        ResponseBytes<GetObjectResponse> got = s3.getObjectAsBytes(g -> g.bucket(bucket).key("crc64.bin")
                .checksumMode(ChecksumMode.ENABLED));
        assertThat(got.asByteArray()).isEqualTo(whole);
        assertThat(got.response().checksumCRC64NVME()).isEqualTo(crc64);
        assertThat(got.response().checksumType()).isEqualTo(ChecksumType.FULL_OBJECT);
    }

    @Test
    void aFullObjectUploadsPartsMaySkipTheirChecksumsACompositeUploadsMayNot() {
        // A client computing checksums only where required sends parts without one.
        try (S3Client plain = client(newCredential(), RequestChecksumCalculation.WHEN_REQUIRED)) {
            plain.createBucket(b -> b.bucket(bucket + "-p"));
            String full = plain.createMultipartUpload(c -> c.bucket(bucket + "-p").key("full").checksumAlgorithm(ChecksumAlgorithm.CRC32)
                    .checksumType(ChecksumType.FULL_OBJECT)).uploadId();
            String etag = plain.uploadPart(u -> u.bucket(bucket + "-p").key("full").uploadId(full).partNumber(1),
                    RequestBody.fromBytes(third)).eTag();
            // Computed here as the part streamed.
            assertThat(plain.listParts(l -> l.bucket(bucket + "-p").key("full").uploadId(full)).parts().get(0).checksumCRC32())
                    .isEqualTo(crc(new CRC32(), third));
            plain.completeMultipartUpload(c -> c.bucket(bucket + "-p").key("full").uploadId(full)
                    .multipartUpload(m -> m.parts(CompletedPart.builder().partNumber(1).eTag(etag).build())));
            assertThat(plain.headObject(h -> h.bucket(bucket + "-p").key("full").checksumMode(ChecksumMode.ENABLED)).checksumCRC32())
                    .isEqualTo(crc(new CRC32(), third));

            String composite = plain.createMultipartUpload(c -> c.bucket(bucket + "-p").key("composite")
                    .checksumAlgorithm(ChecksumAlgorithm.SHA256)).uploadId();
            S3Exception missing = catchS3(() -> plain.uploadPart(u -> u.bucket(bucket + "-p").key("composite").uploadId(composite)
                    .partNumber(1), RequestBody.fromBytes(third)));
            assertThat(missing.statusCode()).isEqualTo(400);
            assertThat(missing.awsErrorDetails().errorCode()).isEqualTo("InvalidRequest");
            assertThat(plain.listParts(l -> l.bucket(bucket + "-p").key("composite").uploadId(composite)).parts()).isEmpty();
        }
    }

    @Test
    void aCopiedPartGetsItsChecksumComputedAsItPasses() {
        s3.putObject(p -> p.bucket(bucket).key("source.bin"), RequestBody.fromBytes(whole));
        String id = s3.createMultipartUpload(c -> c.bucket(bucket).key("copied.bin").checksumAlgorithm(ChecksumAlgorithm.CRC32_C))
                .uploadId();
        String range = "bytes=" + PART + "-" + (2 * PART - 1);
        CopyPartResult copied = s3.uploadPartCopy(u -> u.sourceBucket(bucket).sourceKey("source.bin").copySourceRange(range)
                .destinationBucket(bucket).destinationKey("copied.bin").uploadId(id).partNumber(1)).copyPartResult();
        assertThat(copied.checksumCRC32C()).isEqualTo(crc(new CRC32C(), second));
        CompleteMultipartUploadResponse done = s3.completeMultipartUpload(c -> c.bucket(bucket).key("copied.bin").uploadId(id)
                .multipartUpload(m -> m.parts(CompletedPart.builder().partNumber(1).eTag(copied.eTag())
                        .checksumCRC32C(copied.checksumCRC32C()).build())));
        assertThat(done.checksumCRC32C()).isEqualTo(crc(new CRC32C(), decode(crc(new CRC32C(), second))) + "-1");
    }

    @Test
    void theRestApiTakesPartsOfAnUploadStartedWithAChecksumAndCompletesIt() {
        String tenantId = createTenant(unique("mpckr"));
        String apiKey = createKey(tenantId, List.of("admin"), null);
        try (S3Client own = client(newCredential(tenantId), RequestChecksumCalculation.WHEN_SUPPORTED)) {
            own.createBucket(b -> b.bucket(bucket));
            String id = own.createMultipartUpload(c -> c.bucket(bucket).key("rest.bin").checksumAlgorithm(ChecksumAlgorithm.CRC32_C))
                    .uploadId();
            // The REST API sends no part checksums: Granary computes the part's as it streams.
            String etag = http.put().uri("/v1/buckets/{b}/multipart/{id}/parts/1", bucket, id).header("X-Api-Key", apiKey)
                    .bodyValue(third).exchange().expectStatus().isOk().expectBody().returnResult().getResponseHeaders().getETag();
            assertThat(own.listParts(l -> l.bucket(bucket).key("rest.bin").uploadId(id)).parts().get(0).checksumCRC32C())
                    .isEqualTo(crc(new CRC32C(), third));
            http.post().uri("/v1/buckets/{b}/multipart/{id}/complete", bucket, id).header("X-Api-Key", apiKey)
                    .contentType(MediaType.APPLICATION_JSON)
                    .bodyValue(Map.of("parts", List.of(Map.of("n", 1, "etag", etag)))).exchange()
                    .expectStatus().isOk().expectBody();
            HeadObjectResponse head = own.headObject(h -> h.bucket(bucket).key("rest.bin").checksumMode(ChecksumMode.ENABLED));
            assertThat(head.checksumCRC32C()).isEqualTo(crc(new CRC32C(), decode(crc(new CRC32C(), third))) + "-1");
            assertThat(head.checksumType()).isEqualTo(ChecksumType.COMPOSITE);
        }
    }

    @Test
    void checksumsThatDoNotMatchAreRefusedAndNothingIsStored() {
        String id = s3.createMultipartUpload(c -> c.bucket(bucket).key("sha.bin").checksumAlgorithm(ChecksumAlgorithm.SHA256))
                .uploadId();
        // A part whose checksum is not its bytes': BadDigest, and no part.
        S3Exception badPart = catchS3(() -> s3.uploadPart(u -> u.bucket(bucket).key("sha.bin").uploadId(id).partNumber(1)
                .checksumSHA256(sha256(second)), RequestBody.fromBytes(first)));
        assertThat(badPart.awsErrorDetails().errorCode()).isEqualTo("BadDigest");
        assertThat(s3.listParts(l -> l.bucket(bucket).key("sha.bin").uploadId(id)).parts()).isEmpty();
        // A part with another algorithm's checksum than the upload's.
        S3Exception otherAlgorithm = catchS3(() -> s3.uploadPart(u -> u.bucket(bucket).key("sha.bin").uploadId(id).partNumber(1)
                .checksumAlgorithm(ChecksumAlgorithm.CRC32), RequestBody.fromBytes(first)));
        assertThat(otherAlgorithm.awsErrorDetails().errorCode()).isEqualTo("InvalidRequest");

        String etag1 = s3.uploadPart(u -> u.bucket(bucket).key("sha.bin").uploadId(id).partNumber(1)
                .checksumAlgorithm(ChecksumAlgorithm.SHA256), RequestBody.fromBytes(first)).eTag();
        String etag2 = s3.uploadPart(u -> u.bucket(bucket).key("sha.bin").uploadId(id).partNumber(2)
                .checksumAlgorithm(ChecksumAlgorithm.SHA256), RequestBody.fromBytes(third)).eTag();
        CompletedPart part1 = CompletedPart.builder().partNumber(1).eTag(etag1).checksumSHA256(sha256(first)).build();
        // Completions the upload refuses: a part listed with another part's checksum, a part without
        // its checksum, another checksum type, an object checksum that is not the object's.
        S3Exception wrongPart = catchS3(() -> s3.completeMultipartUpload(c -> c.bucket(bucket).key("sha.bin").uploadId(id)
                .multipartUpload(m -> m.parts(part1, CompletedPart.builder().partNumber(2).eTag(etag2)
                        .checksumSHA256(sha256(first)).build()))));
        assertThat(wrongPart.awsErrorDetails().errorCode()).isEqualTo("InvalidPart");
        S3Exception unlisted = catchS3(() -> s3.completeMultipartUpload(c -> c.bucket(bucket).key("sha.bin").uploadId(id)
                .multipartUpload(m -> m.parts(part1, CompletedPart.builder().partNumber(2).eTag(etag2).build()))));
        assertThat(unlisted.awsErrorDetails().errorCode()).isEqualTo("InvalidRequest");
        CompletedPart part2 = CompletedPart.builder().partNumber(2).eTag(etag2).checksumSHA256(sha256(third)).build();
        S3Exception otherType = catchS3(() -> s3.completeMultipartUpload(c -> c.bucket(bucket).key("sha.bin").uploadId(id)
                .checksumType(ChecksumType.FULL_OBJECT).multipartUpload(m -> m.parts(part1, part2))));
        assertThat(otherType.awsErrorDetails().errorCode()).isEqualTo("InvalidRequest");
        S3Exception wrongWhole = catchS3(() -> s3.completeMultipartUpload(c -> c.bucket(bucket).key("sha.bin").uploadId(id)
                .checksumSHA256(sha256(whole) + "-2").multipartUpload(m -> m.parts(part1, part2))));
        assertThat(wrongWhole.awsErrorDetails().errorCode()).isEqualTo("BadDigest");
        assertThatThrownBy(() -> s3.headObject(h -> h.bucket(bucket).key("sha.bin"))).isInstanceOf(NoSuchKeyException.class);

        // The upload is still open, and completes once asked right.
        String composite = sha256(concat(decode(sha256(first)), decode(sha256(third))));
        CompleteMultipartUploadResponse done = s3.completeMultipartUpload(c -> c.bucket(bucket).key("sha.bin").uploadId(id)
                .checksumSHA256(composite + "-2").multipartUpload(m -> m.parts(part1, part2)));
        assertThat(done.checksumSHA256()).isEqualTo(composite + "-2");

        // A FULL_OBJECT upload's object checksum is checked the same way.
        S3Exception fullMismatch = catchS3(() -> upload("full.bin", ChecksumAlgorithm.CRC32, ChecksumType.FULL_OBJECT,
                crc(new CRC32(), first)));
        assertThat(fullMismatch.awsErrorDetails().errorCode()).isEqualTo("BadDigest");
        assertThatThrownBy(() -> s3.headObject(h -> h.bucket(bucket).key("full.bin"))).isInstanceOf(NoSuchKeyException.class);
        // A choice S3 does not have.
        S3Exception fullSha = catchS3(() -> s3.createMultipartUpload(c -> c.bucket(bucket).key("x")
                .checksumAlgorithm(ChecksumAlgorithm.SHA1).checksumType(ChecksumType.FULL_OBJECT)));
        assertThat(fullSha.awsErrorDetails().errorCode()).isEqualTo("InvalidRequest");
    }

    /**
     * Uploads {@link #whole} as {@code key} in three parts with {@code algorithm} (and {@code type}
     * when not {@code null}), completing with every part's checksum and, when not {@code null},
     * the object's.
     */
    private void upload(String key, ChecksumAlgorithm algorithm, ChecksumType type, String objectChecksum) {
        String id = s3.createMultipartUpload(c -> c.bucket(bucket).key(key).checksumAlgorithm(algorithm).checksumType(type))
                .uploadId();
        List<CompletedPart> parts = new ArrayList<>();
        int n = 1;
        for (byte[] part : List.of(first, second, third)) {
            int number = n++;
            UploadPartResponse uploaded = s3.uploadPart(u -> u.bucket(bucket).key(key).uploadId(id).partNumber(number)
                    .checksumAlgorithm(algorithm), RequestBody.fromBytes(part));
            parts.add(CompletedPart.builder().partNumber(number).eTag(uploaded.eTag()).checksumCRC32(uploaded.checksumCRC32())
                    .checksumCRC32C(uploaded.checksumCRC32C()).checksumCRC64NVME(uploaded.checksumCRC64NVME()).build());
        }
        CompleteMultipartUploadResponse done = s3.completeMultipartUpload(c -> {
            c.bucket(bucket).key(key).uploadId(id).checksumType(type).multipartUpload(m -> m.parts(parts));
            if (objectChecksum != null && algorithm == ChecksumAlgorithm.CRC32) {
                c.checksumCRC32(objectChecksum);
            } else if (objectChecksum != null) {
                c.checksumCRC32C(objectChecksum);
            }
        });
        assertThat(done.checksumType()).isEqualTo(ChecksumType.FULL_OBJECT);
    }

    private static String crc(Checksum checksum, byte[] data) {
        checksum.update(data, 0, data.length);
        ByteBuffer bytes = checksum instanceof CRC64NVME ? ByteBuffer.allocate(8).putLong(checksum.getValue())
                : ByteBuffer.allocate(4).putInt((int) checksum.getValue());
        return Base64.getEncoder().encodeToString(bytes.array());
    }

    private static String sha256(byte[] data) {
        try {
            return Base64.getEncoder().encodeToString(MessageDigest.getInstance("SHA-256").digest(data));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] decode(String base64) {
        return Base64.getDecoder().decode(base64);
    }

    private static byte[] concat(byte[]... parts) {
        byte[] all = new byte[Arrays.stream(parts).mapToInt(part -> part.length).sum()];
        int offset = 0;
        for (byte[] part : parts) {
            System.arraycopy(part, 0, all, offset, part.length);
            offset += part.length;
        }
        return all;
    }

    private static byte[] random(int size, long seed) {
        byte[] data = new byte[size];
        new Random(seed).nextBytes(data);
        return data;
    }
}
