package io.granary.storage.s3;

import io.granary.error.ErrorCode;
import io.granary.error.GranaryException;
import io.granary.storage.BlobContent;
import io.granary.storage.BlobInfo;
import io.granary.storage.BlobLocation;
import io.granary.storage.BlobStore;
import io.granary.storage.ByteRange;
import io.granary.storage.MultipartStore;
import io.granary.storage.StoredPart;
import io.granary.storage.PresignedPut;
import java.net.URI;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import org.springframework.core.io.buffer.DataBuffer;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import software.amazon.awssdk.awscore.AwsRequestOverrideConfiguration;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.SdkPlugin;
import software.amazon.awssdk.core.async.AsyncRequestBody;
import software.amazon.awssdk.services.s3.S3AsyncClient;
import software.amazon.awssdk.services.s3.model.MetadataDirective;
import software.amazon.awssdk.services.s3.model.S3Object;
import software.amazon.awssdk.services.s3.presigner.S3Presigner;

/**
 * A {@link BlobStore} in one bucket of any S3-compatible store, over the AWS SDK's async client;
 * object bodies are read by an {@link S3ObjectReader}.
 *
 * <p>Uploads of a declared length up to 5 GiB stream as one PutObject, which S3 applies
 * atomically. Uploads of unknown or larger length become multipart uploads of
 * {@code partSizeBytes} parts (bigger when a declared length would need more than 10,000), which
 * hold about two parts in memory and are aborted on error or cancellation; a body of unknown
 * length that fits in one part is sent as a single PutObject instead. Downloads stream with
 * backpressure; one that receives nothing from the store for the read timeout fails. Control
 * calls (head, delete, copy, list, check, multipart create/complete/abort)
 * are bounded by the API call timeout; body transfers are bounded only by the client's
 * read/write timeouts, because multi-GB transfers legitimately take long.
 *
 * <p>Limits: CopyObject copies at most 5 GiB (larger copies fail with {@code STORE_ERROR}); an
 * upload of unknown length may have at most 10,000 parts ({@code ENTITY_TOO_LARGE} beyond).
 *
 * <p>As a {@link MultipartStore} it maps each operation onto S3's own multipart upload of the
 * target key (see {@link S3Parts}); the store tracks the parts and presigns UploadPart.
 */
public final class S3BlobStore implements BlobStore, MultipartStore {

    /** The largest object S3 accepts in one PutObject. */
    static final long MAX_SINGLE_PUT = 5L << 30;
    /**
     * Bodies up to this length are gathered in memory before they are sent, so the SDK can send
     * them again when a connection fails under the request (a store closing a pooled connection,
     * a reset); longer ones stream and are tried once. Bounds memory at this times the pool size.
     */
    static final int REPLAYABLE_PUT = 256 * 1024;
    /** S3's smallest part size (except for the last part). */
    static final long MIN_PART_SIZE = 5L << 20;
    /** The largest part we assemble in memory (a Java array, well below S3's 5 GiB maximum). */
    static final long MAX_PART_SIZE = 1L << 30;
    /** The largest object S3 stores. */
    static final long MAX_OBJECT_SIZE = 5L << 40;

    /** A streamed body cannot be replayed, so its request must not be retried. */
    private static final SdkPlugin NO_RETRIES =
            config -> config.overrideConfiguration(o -> o.retryStrategy(AwsRetryStrategy.doNotRetry()));

    private final S3AsyncClient client;
    private final String bucket;
    private final int partSize;
    private final Duration apiCallTimeout;
    private final MultipartWriter multipart;
    private final S3Presigner presigner;
    private final S3ObjectReader reader;
    private final S3Parts parts;

    /**
     * @param presigner signs the URLs this store hands out (downloads, direct uploads, parts)
     * @param reader reads object bodies (see {@link S3ObjectReader} for why not through {@code client})
     * @param partSizeBytes multipart part size, between 5 MiB (S3's minimum) and 1 GiB
     * @param apiCallTimeout upper bound of one control call, retries included
     */
    public S3BlobStore(S3AsyncClient client, S3Presigner presigner, S3ObjectReader reader, String bucket,
                       long partSizeBytes, Duration apiCallTimeout) {
        if (partSizeBytes < MIN_PART_SIZE || partSizeBytes > MAX_PART_SIZE) {
            throw new IllegalArgumentException("part size must be 5 MiB to 1 GiB: " + partSizeBytes);
        }
        this.client = Objects.requireNonNull(client, "client");
        this.presigner = Objects.requireNonNull(presigner, "presigner");
        this.reader = Objects.requireNonNull(reader, "reader");
        this.bucket = Objects.requireNonNull(bucket, "bucket");
        this.partSize = (int) partSizeBytes;
        this.apiCallTimeout = Objects.requireNonNull(apiCallTimeout, "apiCallTimeout");
        this.multipart = new MultipartWriter(client, bucket, this::timed);
        this.parts = new S3Parts(client, presigner, bucket, this::timed);
    }

    @Override
    public Mono<Void> put(BlobLocation location, Flux<DataBuffer> body, Long length, Map<String, String> metadata) {
        Map<String, String> userMetadata = S3Metadata.encode(metadata);
        if (length != null && length <= REPLAYABLE_PUT) {
            // One part of exactly the declared length (the assembler enforces it).
            return PartAssembler.parts(body, (int) Math.max(1, length), length)
                    .single()
                    .flatMap(bytes -> putBytes(location.path(), bytes, userMetadata));
        }
        if (length != null && length <= MAX_SINGLE_PUT) {
            return putStreamed(location.path(), body, length, userMetadata);
        }
        if (length != null && length > MAX_OBJECT_SIZE) {
            // Refused before the body is subscribed, so no buffer of it was ever taken.
            return Mono.error(new GranaryException(ErrorCode.ENTITY_TOO_LARGE, "The store keeps objects of at most 5 TiB."));
        }
        int size = partSizeFor(length);
        return PartAssembler.parts(body, size, length)
                .switchOnFirst((first, parts) -> {
                    if (first.isOnError()) {
                        return parts.then(); // the body failed before a part was full: nothing to clean up
                    }
                    ByteBuffer only = first.get();
                    if (only != null && only.remaining() < size) {
                        // A short first part is the last one: the whole body fit in memory already.
                        return putBytes(location.path(), only, userMetadata);
                    }
                    return multipart.write(location.path(), parts, userMetadata);
                })
                .then();
    }

    /**
     * {@inheritDoc}
     *
     * <p>The response is open once the Mono succeeds: the caller must subscribe to the stream
     * (cancelling it is fine); an abandoned stream holds its connection until the read timeout.
     */
    @Override
    public Mono<BlobContent> open(BlobLocation location, ByteRange range) {
        return reader.open(location.path(), range).map(BlobContent.Streamed::new);
    }

    @Override
    public Mono<URI> presignGet(BlobLocation location, Duration ttl, String contentType, String cacheControl,
                                String contentDisposition) {
        // Signing itself is computation, but resolving credentials the first time may do I/O
        // (profile files, instance metadata): kept off the event loop.
        return Mono.fromCallable(() -> presigner.presignGetObject(request -> request
                        .signatureDuration(ttl)
                        .getObjectRequest(get -> get.bucket(bucket).key(location.path())
                                .responseContentType(contentType)
                                .responseCacheControl(cacheControl)
                                .responseContentDisposition(contentDisposition)))
                .url().toURI())
                .subscribeOn(Schedulers.boundedElastic())
                .onErrorMap(S3Errors::translate);
    }

    /**
     * {@inheritDoc}
     *
     * <p>A presigned {@code PutObject} with {@code Content-Type} and {@code Content-Length} among
     * the signed headers, so S3 answers any other type or length with 403. A single PUT holds at
     * most 5 GiB: a longer {@code length} is {@code ENTITY_TOO_LARGE}.
     */
    @Override
    public Mono<PresignedPut> presignPut(BlobLocation location, Duration ttl, String contentType, long length) {
        if (length > MAX_SINGLE_PUT) {
            return Mono.error(new GranaryException(ErrorCode.ENTITY_TOO_LARGE,
                    "Direct uploads to this store hold at most 5 GiB; upload larger objects through Granary."));
        }
        // Off the event loop for the same reason as presignGet: credentials may be resolved here.
        return Mono.fromCallable(() -> presigner.presignPutObject(request -> request
                        .signatureDuration(ttl)
                        .putObjectRequest(put -> put.bucket(bucket).key(location.path())
                                .contentType(contentType).contentLength(length))))
                .subscribeOn(Schedulers.boundedElastic())
                .map(presigned -> {
                    Map<String, String> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
                    presigned.signedHeaders().forEach((name, values) -> {
                        // Host comes from the URL; every client sets it by itself.
                        if (!"host".equalsIgnoreCase(name)) {
                            headers.put(canonicalName(name), String.join(",", values));
                        }
                    });
                    return new PresignedPut(URI.create(presigned.url().toString()), headers);
                })
                .onErrorMap(S3Errors::translate);
    }

    /** {@code content-type} as {@code Content-Type}: how clients and docs spell header names. */
    private static String canonicalName(String name) {
        StringBuilder out = new StringBuilder(name.length());
        boolean upper = true;
        for (char c : name.toCharArray()) {
            out.append(upper ? Character.toUpperCase(c) : c);
            upper = c == '-';
        }
        return out.toString();
    }

    @Override
    public Mono<BlobInfo> head(BlobLocation location) {
        return Mono.fromFuture(() -> client.headObject(b -> b.bucket(bucket).key(location.path()).overrideConfiguration(this::timed)))
                .map(r -> new BlobInfo(location, r.contentLength(), r.lastModified()))
                .onErrorResume(S3Errors::isMissingKey, error -> Mono.empty())
                .onErrorMap(S3Errors::translate);
    }

    @Override
    public Mono<Void> delete(BlobLocation location) {
        // S3 answers 204 for absent keys too; some compatible stores answer 404.
        return Mono.fromFuture(() -> client.deleteObject(b -> b.bucket(bucket).key(location.path()).overrideConfiguration(this::timed)))
                .then()
                .onErrorResume(S3Errors::isMissingKey, error -> Mono.empty())
                .onErrorMap(S3Errors::translate);
    }

    @Override
    public Mono<Void> copy(BlobLocation source, BlobLocation target, Map<String, String> metadata) {
        Map<String, String> userMetadata = S3Metadata.encode(metadata);
        return Mono.fromFuture(() -> client.copyObject(b -> b
                        .sourceBucket(bucket).sourceKey(source.path())
                        .destinationBucket(bucket).destinationKey(target.path())
                        .metadataDirective(MetadataDirective.REPLACE).metadata(userMetadata)
                        .overrideConfiguration(this::timed)))
                .then()
                .onErrorMap(S3Errors::translate);
    }

    @Override
    public Flux<BlobInfo> list(String prefix) {
        // The paginator fetches the next page only when the subscriber asks for more.
        return Flux.from(client.listObjectsV2Paginator(b -> b.bucket(bucket).prefix(prefix).overrideConfiguration(this::timed))
                        .contents())
                .mapNotNull(S3BlobStore::toInfo)
                .onErrorMap(S3Errors::translate);
    }

    @Override
    public Mono<String> createMultipart(BlobLocation target, Map<String, String> metadata) {
        return parts.create(target.path(), metadata);
    }

    @Override
    public Mono<StoredPart> uploadPart(BlobLocation target, String uploadId, int partNumber, Flux<DataBuffer> body,
                                       long length) {
        return parts.upload(target.path(), uploadId, partNumber, body, length);
    }

    @Override
    public boolean tracksParts() {
        return true;
    }

    @Override
    public Flux<StoredPart> listParts(BlobLocation target, String uploadId) {
        return parts.list(target.path(), uploadId);
    }

    @Override
    public Mono<Void> completeMultipart(BlobLocation target, String uploadId, List<StoredPart> chosen) {
        return parts.complete(target.path(), uploadId, chosen);
    }

    @Override
    public Mono<Void> abortMultipart(BlobLocation target, String uploadId) {
        return parts.abort(target.path(), uploadId);
    }

    @Override
    public Mono<Long> abortStartedBefore(Instant startedBefore) {
        return parts.abortStartedBefore(startedBefore);
    }

    @Override
    public Mono<Void> discardPart(BlobLocation target, String uploadId, StoredPart part) {
        return Mono.empty(); // S3 keeps one copy per part number: a new upload replaced the old
    }

    @Override
    public Mono<PresignedPut> presignPart(BlobLocation target, String uploadId, int partNumber, Duration ttl) {
        return parts.presign(target.path(), uploadId, partNumber, ttl);
    }

    @Override
    public Mono<Void> check() {
        return Mono.fromFuture(() -> client.headBucket(b -> b.bucket(bucket).overrideConfiguration(this::timed)))
                .then()
                .onErrorMap(S3Errors::isNotFound,
                        error -> new GranaryException(ErrorCode.STORE_ERROR, "The store bucket " + bucket + " does not exist.", error))
                .onErrorMap(S3Errors::translate);
    }

    private Mono<Void> putStreamed(String key, Flux<DataBuffer> body, long length, Map<String, String> metadata) {
        return Mono.defer(() -> {
            DataBufferRequestBody requestBody = new DataBufferRequestBody(body, length);
            return Mono.fromFuture(() -> client.putObject(b -> b.bucket(bucket).key(key)
                            .contentLength(length).metadata(metadata)
                            .overrideConfiguration(o -> o.addPlugin(NO_RETRIES)), requestBody))
                    .then()
                    // The SDK wraps a failing body; report the body's own error unchanged.
                    .onErrorMap(error -> requestBody.failure() != null ? requestBody.failure() : S3Errors.translate(error));
        });
    }

    private Mono<Void> putBytes(String key, ByteBuffer bytes, Map<String, String> metadata) {
        long length = bytes.remaining();
        return Mono.fromFuture(() -> client.putObject(b -> b.bucket(bucket).key(key).contentLength(length).metadata(metadata),
                        AsyncRequestBody.fromRemainingByteBufferUnsafe(bytes)))
                .then()
                .onErrorMap(S3Errors::translate);
    }

    /** The configured part size, raised when a declared length would need too many parts. */
    private int partSizeFor(Long length) {
        if (length == null) {
            return partSize;
        }
        long needed = (length + PartAssembler.MAX_PARTS - 1) / PartAssembler.MAX_PARTS;
        return (int) Math.min(Math.max(partSize, needed), MAX_PART_SIZE);
    }

    private void timed(AwsRequestOverrideConfiguration.Builder override) {
        override.apiCallTimeout(apiCallTimeout);
    }

    private static BlobInfo toInfo(S3Object object) {
        try {
            return new BlobInfo(new BlobLocation(object.key()), object.size(), object.lastModified());
        } catch (IllegalArgumentException notABlob) {
            // Something else lives in the bucket (a marker, a foreign file): not ours to report.
            return null;
        }
    }
}
