package io.granary.storage.s3;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import software.amazon.awssdk.awscore.AwsRequestOverrideConfiguration;
import software.amazon.awssdk.core.async.AsyncRequestBody;
import software.amazon.awssdk.services.s3.S3AsyncClient;
import software.amazon.awssdk.services.s3.model.CompleteMultipartUploadResponse;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.CreateMultipartUploadResponse;
import software.amazon.awssdk.services.s3.model.UploadPartResponse;

/**
 * Writes one object as an S3 multipart upload from a flux of parts, uploading them one after
 * another (the part flux may assemble the next part meanwhile, so memory stays near two parts).
 *
 * <p>Nothing becomes visible unless every part is stored and the upload completes: on an error
 * or a cancellation the upload is aborted, and an object whose completion raced with a
 * cancellation is deleted again. Errors of the part flux (the caller's body) pass unchanged.
 */
final class MultipartWriter {

    private static final Logger log = LoggerFactory.getLogger(MultipartWriter.class);

    private final S3AsyncClient client;
    private final String bucket;
    private final Consumer<AwsRequestOverrideConfiguration.Builder> timed;

    /**
     * @param timed applied to the control requests (create, complete, abort), never to part bodies
     */
    MultipartWriter(S3AsyncClient client, String bucket, Consumer<AwsRequestOverrideConfiguration.Builder> timed) {
        this.client = client;
        this.bucket = bucket;
        this.timed = timed;
    }

    Mono<Void> write(String key, Flux<ByteBuffer> parts, Map<String, String> metadata) {
        return Mono.defer(() -> {
            CompletableFuture<CreateMultipartUploadResponse> created = client.createMultipartUpload(
                    b -> b.bucket(bucket).key(key).metadata(metadata).overrideConfiguration(timed));
            AtomicBoolean handedOver = new AtomicBoolean();
            // The future is not cancelled with the subscription: an upload id arriving after a
            // cancellation must still be aborted, or its parts would linger (and be billed).
            // Once the id is handed over, uploadAll owns the cleanup.
            return Mono.fromFuture(created, true)
                    .onErrorMap(S3Errors::translate)
                    .doOnCancel(() -> {
                        if (!handedOver.get()) {
                            created.thenAccept(r -> abort(key, r.uploadId()).subscribe());
                        }
                    })
                    .flatMap(r -> {
                        handedOver.set(true);
                        return uploadAll(key, r.uploadId(), parts);
                    });
        });
    }

    private Mono<Void> uploadAll(String key, String uploadId, Flux<ByteBuffer> parts) {
        AtomicInteger partNumber = new AtomicInteger();
        // Prefetch 0: the next part is requested only once this one is stored; the assembler
        // still fills it while this one uploads.
        return parts.concatMap(part -> uploadPart(key, uploadId, partNumber.incrementAndGet(), part), 0)
                .collectList()
                .flatMap(done -> complete(key, uploadId, done))
                .onErrorResume(error -> abort(key, uploadId).then(Mono.error(error)))
                .doOnCancel(() -> abort(key, uploadId).subscribe());
    }

    private Mono<CompletedPart> uploadPart(String key, String uploadId, int number, ByteBuffer part) {
        long length = part.remaining();
        // A byte-array body can be replayed, so the SDK's retries stay on for parts.
        return Mono.fromFuture(() -> client.uploadPart(
                        b -> b.bucket(bucket).key(key).uploadId(uploadId).partNumber(number).contentLength(length),
                        AsyncRequestBody.fromRemainingByteBufferUnsafe(part)))
                .onErrorMap(S3Errors::translate)
                .map(response -> completedPart(number, response));
    }

    private Mono<Void> complete(String key, String uploadId, List<CompletedPart> parts) {
        return Mono.defer(() -> {
            CompletableFuture<CompleteMultipartUploadResponse> completed = client.completeMultipartUpload(
                    b -> b.bucket(bucket).key(key).uploadId(uploadId)
                            .multipartUpload(u -> u.parts(parts))
                            .overrideConfiguration(timed));
            // If the caller gives up while S3 is completing, the object may appear anyway:
            // delete it once the outcome is known so that nothing outlives a cancelled put.
            return Mono.fromFuture(completed, true)
                    .onErrorMap(S3Errors::translate)
                    .doOnCancel(() -> completed.thenAccept(r -> deleteQuietly(key)))
                    .then();
        });
    }

    private Mono<Void> abort(String key, String uploadId) {
        return Mono.fromFuture(() -> client.abortMultipartUpload(
                        b -> b.bucket(bucket).key(key).uploadId(uploadId).overrideConfiguration(timed)))
                .then()
                .onErrorResume(error -> {
                    // NoSuchUpload: already aborted or completed. Anything else must not mask the
                    // error that made us abort; a bucket lifecycle rule reclaims what is left.
                    if (!"NoSuchUpload".equals(S3Errors.errorCode(error))) {
                        log.warn("Could not abort multipart upload {} of {}: {}", uploadId, key, error.toString());
                    }
                    return Mono.empty();
                });
    }

    private void deleteQuietly(String key) {
        client.deleteObject(b -> b.bucket(bucket).key(key).overrideConfiguration(timed))
                .whenComplete((r, error) -> {
                    if (error != null) {
                        log.warn("Could not delete {} after a cancelled upload: {}", key, error.toString());
                    }
                });
    }

    /** The part as CompleteMultipartUpload needs it, with every checksum S3 computed for it. */
    private static CompletedPart completedPart(int number, UploadPartResponse r) {
        return CompletedPart.builder()
                .partNumber(number)
                .eTag(r.eTag())
                .checksumCRC32(r.checksumCRC32())
                .checksumCRC32C(r.checksumCRC32C())
                .checksumCRC64NVME(r.checksumCRC64NVME())
                .checksumSHA1(r.checksumSHA1())
                .checksumSHA256(r.checksumSHA256())
                .build();
    }
}
