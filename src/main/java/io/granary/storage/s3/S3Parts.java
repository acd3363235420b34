package io.granary.storage.s3;

import io.granary.error.ErrorCode;
import io.granary.error.GranaryException;
import io.granary.storage.BlobLocation;
import io.granary.storage.PresignedPut;
import io.granary.storage.StoredPart;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;
import org.springframework.core.io.buffer.DataBuffer;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import software.amazon.awssdk.awscore.AwsRequestOverrideConfiguration;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.SdkPlugin;
import software.amazon.awssdk.services.s3.S3AsyncClient;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.Part;
import software.amazon.awssdk.services.s3.presigner.S3Presigner;

/**
 * Client-driven multipart uploads on S3 (the {@code MultipartStore} half of
 * {@link S3BlobStore}): one S3 multipart upload per Granary upload, parts streamed as
 * UploadPart, and S3's ListParts as the truth about what arrived, presigned parts included.
 * Completion sends S3 the checksums S3 itself reported for each part, so stores that insist on
 * them (AWS with default checksums) accept it.
 */
final class S3Parts {

    private static final SdkPlugin NO_RETRIES =
            config -> config.overrideConfiguration(o -> o.retryStrategy(AwsRetryStrategy.doNotRetry()));

    private final S3AsyncClient client;
    private final S3Presigner presigner;
    private final String bucket;
    private final Consumer<AwsRequestOverrideConfiguration.Builder> timed;

    S3Parts(S3AsyncClient client, S3Presigner presigner, String bucket,
            Consumer<AwsRequestOverrideConfiguration.Builder> timed) {
        this.client = client;
        this.presigner = presigner;
        this.bucket = bucket;
        this.timed = timed;
    }

    Mono<String> create(String key, Map<String, String> metadata) {
        return Mono.fromFuture(() -> client.createMultipartUpload(b -> b.bucket(bucket).key(key)
                        .metadata(S3Metadata.encode(metadata)).overrideConfiguration(timed)))
                .map(response -> response.uploadId())
                .onErrorMap(S3Parts::translate);
    }

    Mono<StoredPart> upload(String key, String uploadId, int partNumber, Flux<DataBuffer> body, long length) {
        return Mono.defer(() -> {
            DataBufferRequestBody requestBody = new DataBufferRequestBody(body, length);
            return Mono.fromFuture(() -> client.uploadPart(b -> b.bucket(bucket).key(key).uploadId(uploadId)
                            .partNumber(partNumber).contentLength(length)
                            .overrideConfiguration(o -> o.addPlugin(NO_RETRIES)), requestBody))
                    .map(response -> new StoredPart(partNumber, unquote(response.eTag()), length, null))
                    .onErrorMap(error -> requestBody.failure() != null ? requestBody.failure() : translate(error));
        });
    }

    Flux<StoredPart> list(String key, String uploadId) {
        return parts(key, uploadId).map(part -> new StoredPart(part.partNumber(), unquote(part.eTag()), part.size(), null));
    }

    Mono<Void> complete(String key, String uploadId, List<StoredPart> chosen) {
        // The checksums S3 computed for each part (if any) must accompany the part in the request.
        return parts(key, uploadId).collectMap(Part::partNumber).flatMap(stored -> {
            List<CompletedPart> completed = chosen.stream().map(part -> {
                Part known = stored.get(part.number());
                if (known == null || !unquote(known.eTag()).equals(part.etag())) {
                    throw new GranaryException(ErrorCode.INVALID_PART, "Part " + part.number()
                            + " is not stored with ETag \"" + part.etag() + "\".");
                }
                return CompletedPart.builder().partNumber(part.number()).eTag(known.eTag())
                        .checksumCRC32(known.checksumCRC32()).checksumCRC32C(known.checksumCRC32C())
                        .checksumCRC64NVME(known.checksumCRC64NVME()).checksumSHA1(known.checksumSHA1())
                        .checksumSHA256(known.checksumSHA256()).build();
            }).toList();
            return Mono.fromFuture(() -> client.completeMultipartUpload(b -> b.bucket(bucket).key(key).uploadId(uploadId)
                            .multipartUpload(u -> u.parts(completed)).overrideConfiguration(timed)))
                    .onErrorMap(S3Parts::translate)
                    .then();
        });
    }

    Mono<Void> abort(String key, String uploadId) {
        return Mono.fromFuture(() -> client.abortMultipartUpload(b -> b.bucket(bucket).key(key).uploadId(uploadId)
                        .overrideConfiguration(timed)))
                .then()
                .onErrorResume(error -> "NoSuchUpload".equals(S3Errors.errorCode(error)), error -> Mono.empty())
                .onErrorMap(S3Parts::translate);
    }

    /** Aborts the uploads under Granary's blob root that S3 says were initiated before {@code before}. */
    Mono<Long> abortStartedBefore(Instant before) {
        return Flux.from(client.listMultipartUploadsPaginator(b -> b.bucket(bucket).prefix(BlobLocation.ROOT)
                        .overrideConfiguration(timed)).uploads())
                .onErrorMap(S3Parts::translate)
                .filter(upload -> upload.initiated() != null && upload.initiated().isBefore(before))
                .concatMap(upload -> abort(upload.key(), upload.uploadId()).thenReturn(upload))
                .count();
    }

    Mono<PresignedPut> presign(String key, String uploadId, int partNumber, Duration ttl) {
        // Off the event loop: resolving credentials the first time may do I/O.
        return Mono.fromCallable(() -> presigner.presignUploadPart(request -> request.signatureDuration(ttl)
                        .uploadPartRequest(part -> part.bucket(bucket).key(key).uploadId(uploadId).partNumber(partNumber))))
                .subscribeOn(Schedulers.boundedElastic())
                .map(presigned -> {
                    Map<String, String> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
                    presigned.signedHeaders().forEach((name, values) -> {
                        if (!"host".equalsIgnoreCase(name)) {
                            headers.put(name, String.join(",", values));
                        }
                    });
                    return new PresignedPut(URI.create(presigned.url().toString()), headers);
                })
                .onErrorMap(S3Parts::translate);
    }

    private Flux<Part> parts(String key, String uploadId) {
        return Flux.from(client.listPartsPaginator(b -> b.bucket(bucket).key(key).uploadId(uploadId)
                        .overrideConfiguration(timed)).parts())
                .onErrorMap(S3Parts::translate);
    }

    private static Throwable translate(Throwable error) {
        String code = S3Errors.errorCode(error);
        if ("NoSuchUpload".equals(code)) {
            return new GranaryException(ErrorCode.UPLOAD_NOT_FOUND, "The store has no such multipart upload.", error);
        }
        if ("InvalidPart".equals(code)) {
            return new GranaryException(ErrorCode.INVALID_PART, "The store does not hold a listed part with that ETag.", error);
        }
        if ("InvalidPartOrder".equals(code)) {
            return new GranaryException(ErrorCode.INVALID_PART_ORDER, ErrorCode.INVALID_PART_ORDER.title(), error);
        }
        if ("EntityTooSmall".equals(code)) {
            return new GranaryException(ErrorCode.PART_TOO_SMALL, "The store refused a part below its minimum size.", error);
        }
        return S3Errors.translate(error);
    }

    static String unquote(String etag) {
        return etag != null && etag.length() >= 2 && etag.startsWith("\"") && etag.endsWith("\"")
                ? etag.substring(1, etag.length() - 1) : etag;
    }
}
