package io.granary.storage.s3;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.granary.config.GranaryProperties;
import io.granary.config.GranaryProperties.ChecksumMode;
import io.granary.error.ErrorCode;
import io.granary.error.GranaryException;
import io.granary.storage.BlobLocation;
import io.granary.storage.BlobStore;
import io.granary.storage.BlobStoreContract;
import io.granary.storage.PresignedPut;
import io.granary.testsupport.DroppingTcpProxy;
import io.granary.testsupport.S3ProxyServer;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.util.unit.DataSize;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import software.amazon.awssdk.core.async.AsyncRequestBody;
import software.amazon.awssdk.services.s3.S3AsyncClient;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.MultipartUpload;
import software.amazon.awssdk.services.s3.presigner.S3Presigner;

/**
 * The blob store contract against a real S3 server (S3Proxy in its own process), with the SDK's
 * default checksums and, in {@link WhenRequiredChecksums}, with checksums only where required;
 * plus what is particular to S3.
 */
class S3BlobStoreTest extends BlobStoreContract {

    private static final long PART_SIZE = 5L << 20;

    private static S3AsyncClient client;
    private static S3BlobStore store;
    private static String bucket;

    @BeforeAll
    static void startStore() {
        bucket = freshBucket();
        client = S3ClientFactory.create(S3ProxyServer.shared().settings(bucket));
        S3ClientFactory.ensureBucket(client, bucket).block(Duration.ofSeconds(30));
        store = storeOn(client, S3ProxyServer.shared().settings(bucket), PART_SIZE);
    }

    @AfterAll
    static void closeClient() {
        client.close();
    }

    @Override
    protected BlobStore store() {
        return store;
    }

    /** A store as Granary builds it, on {@code settings}' endpoint and bucket, with {@code client}. */
    static S3BlobStore storeOn(S3AsyncClient client, GranaryProperties.S3 settings, long partSize) {
        S3Presigner presigner = S3ClientFactory.presigner(settings);
        return new S3BlobStore(client, presigner, S3ClientFactory.reader(settings, presigner), settings.bucket(),
                partSize, Duration.ofSeconds(30));
    }

    @Test
    void metadataIsStoredAsUserMetadataEvenWhenNotAscii() {
        BlobLocation location = location("with-metadata");
        store.put(location, body(randomBytes(10)), 10L,
                Map.of("logical-key", "photos/résumé 2024.pdf", "plain", "a/b.txt")).block();

        HeadObjectResponse head = client.headObject(b -> b.bucket(bucket).key(location.path())).join();

        assertThat(S3Metadata.decodeValue(head.metadata().get("logical-key"))).isEqualTo("photos/résumé 2024.pdf");
        assertThat(head.metadata()).containsEntry("plain", "a/b.txt");
    }

    @Test
    void copyReplacesTheMetadata() {
        BlobLocation source = location("meta-source");
        BlobLocation target = location("meta-target");
        store.put(source, body(randomBytes(10)), 10L, Map.of("logical-key", "old")).block();

        store.copy(source, target, Map.of("logical-key", "new")).block();

        HeadObjectResponse head = client.headObject(b -> b.bucket(bucket).key(target.path())).join();
        assertThat(head.metadata()).containsEntry("logical-key", "new");
    }

    @Test
    void bodyShorterOrLongerThanDeclaredFailsWithIncompleteBody() {
        BlobLocation shorter = location("shorter");
        BlobLocation longer = location("longer");

        assertFailsWith(() -> store.put(shorter, body(randomBytes(500)), 1000L, Map.of()).block(), ErrorCode.INCOMPLETE_BODY);
        assertFailsWith(() -> store.put(longer, body(randomBytes(1500)), 1000L, Map.of()).block(), ErrorCode.INCOMPLETE_BODY);

        assertThat(store.head(shorter).blockOptional()).isEmpty();
        assertThat(store.head(longer).blockOptional()).isEmpty();
    }

    @Test
    void listSkipsKeysThatAreNotBlobLocations() {
        BlobLocation blob = location("listed");
        store.put(blob, body(randomBytes(5)), 5L, Map.of()).block();
        String prefix = blob.path().substring(0, blob.path().lastIndexOf('/') + 1);
        // Not a blob location: a dot is not allowed in ids.
        client.putObject(b -> b.bucket(bucket).key(prefix + "stray.txt"), AsyncRequestBody.fromString("stray")).join();

        assertThat(store.list(prefix).collectList().block()).extracting(info -> info.location()).containsExactly(blob);
    }

    @Test
    void failedOrCancelledMultipartUploadIsAborted() throws InterruptedException {
        BlobLocation failed = location("failed");
        BlobLocation cancelled = location("cancelled");
        AtomicLong sent = new AtomicLong();
        Flux<DataBuffer> failing = Flux.concat(body(randomBytes(pastFirstPart())), Flux.error(new IllegalStateException("gone")));
        Flux<DataBuffer> stalling = Flux.concat(body(randomBytes(pastFirstPart())), Flux.<DataBuffer>never())
                .doOnNext(buffer -> sent.addAndGet(buffer.readableByteCount()));

        assertThatThrownBy(() -> store.put(failed, failing, null, Map.of()).block()).hasMessage("gone");
        Disposable upload = store.put(cancelled, stalling, null, Map.of()).subscribe(done -> { }, error -> { });
        while (sent.get() < pastFirstPart()) {
            Thread.sleep(10);
        }
        Thread.sleep(500); // the first part is on its way to S3
        upload.dispose();

        assertThat(pendingUploads(failed)).isEmpty();
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!pendingUploads(cancelled).isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertThat(pendingUploads(cancelled)).isEmpty();
    }

    @Test
    void bodyOfUnknownLengthIsOneRequestWhenItFitsInAPartElseAMultipartUpload() {
        BlobLocation small = location("small");
        BlobLocation large = location("large");

        store.put(small, body(randomBytes(1000)), null, Map.of()).block();
        store.put(large, body(randomBytes(largeSize())), null, Map.of()).block();

        // A multipart object's ETag ends in "-<number of parts>".
        assertThat(client.headObject(b -> b.bucket(bucket).key(small.path())).join().eTag()).doesNotContain("-");
        assertThat(client.headObject(b -> b.bucket(bucket).key(large.path())).join().eTag()).endsWith("-3\"");
    }

    @Test
    void multipartUploadHoldsAboutTwoPartsInMemory() {
        int partSize = 5 << 20;
        AtomicLong pulled = new AtomicLong();
        AtomicLong stored = new AtomicLong();
        AtomicLong mostAhead = new AtomicLong();
        Flux<DataBuffer> counted = body(randomBytes(6 * partSize)).doOnNext(buffer -> mostAhead.accumulateAndGet(
                pulled.addAndGet(buffer.readableByteCount()) - stored.get(), Math::max));

        // The same operators as MultipartWriter, with a slow uploader standing in for S3.
        PartAssembler.parts(counted, partSize, null)
                .concatMap(part -> Mono.delay(Duration.ofMillis(100)).doOnNext(t -> stored.addAndGet(part.remaining())), 0)
                .blockLast();

        assertThat(stored.get()).isEqualTo(6L * partSize);
        assertThat(mostAhead.get()).isLessThanOrEqualTo(2L * partSize);
    }

    @Test
    void unreachableStoreIsUnavailable() throws Exception {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        GranaryProperties.S3 settings = withEndpoint(S3ProxyServer.shared().settings(bucket),
                URI.create("http://127.0.0.1:" + closedPort));
        try (S3AsyncClient unreachable = S3ClientFactory.create(settings)) {
            S3BlobStore down = storeOn(unreachable, settings, PART_SIZE);

            assertFailsWith(() -> down.check().block(), ErrorCode.STORE_UNAVAILABLE);
            assertFailsWith(() -> down.head(location("any")).block(), ErrorCode.STORE_UNAVAILABLE);
            assertFailsWith(() -> down.open(location("any"), null).block(), ErrorCode.STORE_UNAVAILABLE);
            // A streamed body cannot be replayed, so its PUT is tried once; a small one is retried.
            int streamed = S3BlobStore.REPLAYABLE_PUT + 1;
            assertThatThrownBy(() -> down.put(location("any"), body(randomBytes(streamed)), (long) streamed, Map.of()).block())
                    .isInstanceOf(GranaryException.class)
                    .satisfies(error -> assertThat(((GranaryException) error).code()).isEqualTo(ErrorCode.STORE_UNAVAILABLE))
                    .hasStackTraceContaining("SDK Attempt Count: 1)");
            // (How often the SDK retries depends on how the attempt failed; the retry itself is
            // shown with a dropped connection below.)
            assertFailsWith(() -> down.put(location("any"), body(randomBytes(10)), 10L, Map.of()).block(),
                    ErrorCode.STORE_UNAVAILABLE);
        }
    }

    @Test
    void smallPutIsSentAgainWhenTheStoreDropsTheConnectionAndAStreamedOneFailsOnce() {
        S3ProxyServer s3 = S3ProxyServer.shared();
        byte[] small = randomBytes(S3BlobStore.REPLAYABLE_PUT);
        BlobLocation smallLocation = location("dropped-small");
        try (DroppingTcpProxy proxy = new DroppingTcpProxy(s3.endpoint(), 1);
             S3AsyncClient flaky = S3ClientFactory.create(withEndpoint(s3.settings(bucket), proxy.endpoint()))) {
            storeOn(flaky, s3.settings(bucket), PART_SIZE)
                    .put(smallLocation, body(small), (long) small.length, Map.of()).block(Duration.ofSeconds(30));

            assertThat(proxy.connections()).isEqualTo(2);
        }
        assertSameBytes(read(smallLocation, null), small);

        byte[] large = randomBytes(S3BlobStore.REPLAYABLE_PUT + 1);
        BlobLocation largeLocation = location("dropped-large");
        try (DroppingTcpProxy proxy = new DroppingTcpProxy(s3.endpoint(), 1);
             S3AsyncClient flaky = S3ClientFactory.create(withEndpoint(s3.settings(bucket), proxy.endpoint()))) {
            S3BlobStore once = storeOn(flaky, s3.settings(bucket), PART_SIZE);
            assertFailsWith(() -> once.put(largeLocation, body(large), (long) large.length, Map.of())
                    .block(Duration.ofSeconds(30)), ErrorCode.STORE_UNAVAILABLE);

            assertThat(proxy.connections()).isEqualTo(1);
        }
        assertThat(store.head(largeLocation).blockOptional()).isEmpty();
    }

    @Test
    void missingStoreBucketIsAStoreError() {
        S3BlobStore noBucket = storeOn(client, S3ProxyServer.shared().settings(freshBucket()), PART_SIZE);

        assertFailsWith(() -> noBucket.check().block(), ErrorCode.STORE_ERROR);
        // Not asserted for delete and put: S3Proxy answers 204 to a DeleteObject in a missing
        // bucket, and cuts a PutObject's connection (seen as STORE_UNAVAILABLE).
        assertFailsWith(() -> noBucket.open(location("any"), null).block(), ErrorCode.STORE_ERROR);
    }

    @Test
    void ensureBucketLeavesAnExistingBucketAlone() {
        BlobLocation location = location("kept");
        store.put(location, body(randomBytes(3)), 3L, Map.of()).block();

        S3ClientFactory.ensureBucket(client, bucket).block();

        assertThat(store.head(location).blockOptional()).isPresent();
    }

    @Test
    void presignedPutsAcceptOnlyTheSignedLengthAndTypeUntilTheyExpire() throws Exception {
        S3BlobStore signing = store;
        BlobLocation location = location("presigned-put");
        PresignedPut put = signing.presignPut(location, Duration.ofMinutes(5), "image/png", 10).block();
        assertThat(put.headers()).containsOnly(Map.entry("Content-Type", "image/png"), Map.entry("Content-Length", "10"));
        assertThat(put.url().getQuery()).contains("X-Amz-SignedHeaders=content-length;content-type;host");

        // S3Proxy checks the signed headers like S3: another length or type breaks the signature.
        assertThat(send(put.url(), "image/png", randomBytes(11))).isEqualTo(403);
        assertThat(send(put.url(), "image/png", randomBytes(9))).isEqualTo(403);
        assertThat(send(put.url(), "text/html", randomBytes(10))).isEqualTo(403);
        assertThat(send(put.url(), null, randomBytes(10))).isEqualTo(403);
        assertThat(store.head(location).blockOptional()).isEmpty();
        byte[] first = randomBytes(10);
        assertThat(send(put.url(), "image/png", first)).isEqualTo(200);
        assertThat(read(location)).isEqualTo(first);
        // Until it expires the URL can be used again, replacing the bytes: callers must not
        // trust what lies at a presigned location (Granary copies it away before checking it).
        byte[] second = randomBytes(10);
        assertThat(send(put.url(), "image/png", second)).isEqualTo(200);
        assertThat(read(location)).isEqualTo(second);

        PresignedPut shortLived = signing.presignPut(location("expiring"), Duration.ofSeconds(1), "image/png", 10).block();
        Thread.sleep(2_100);
        assertThat(send(shortLived.url(), "image/png", randomBytes(10))).isEqualTo(403);
        assertThat(store.head(location("expiring")).blockOptional()).isEmpty();

        assertFailsWith(() -> signing.presignPut(location, Duration.ofMinutes(5), "image/png", (5L << 30) + 1).block(),
                ErrorCode.ENTITY_TOO_LARGE);
    }

    private static int send(URI url, String contentType, byte[] body) throws Exception {
        java.net.http.HttpRequest.Builder request = java.net.http.HttpRequest.newBuilder(url)
                .PUT(java.net.http.HttpRequest.BodyPublishers.ofByteArray(body));
        if (contentType != null) {
            request.header("Content-Type", contentType);
        }
        return java.net.http.HttpClient.newHttpClient()
                .send(request.build(), java.net.http.HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    private byte[] read(BlobLocation location) {
        return store.open(location, null).flatMapMany(content -> content.stream())
                .reduce(new java.io.ByteArrayOutputStream(), (out, buffer) -> {
                    byte[] chunk = new byte[buffer.readableByteCount()];
                    buffer.read(chunk);
                    org.springframework.core.io.buffer.DataBufferUtils.release(buffer);
                    out.writeBytes(chunk);
                    return out;
                }).block().toByteArray();
    }

    @Test
    void partSizeOutsideS3LimitsIsRejected() {
        assertThatThrownBy(() -> storeOn(client, S3ProxyServer.shared().settings(bucket), 1L << 20))
                .isInstanceOf(IllegalArgumentException.class);
    }

    /** The whole contract again with checksums computed only where S3 requires them. */
    @Nested
    @TestInstance(TestInstance.Lifecycle.PER_CLASS)
    class WhenRequiredChecksums extends BlobStoreContract {

        private S3AsyncClient plainClient;
        private S3BlobStore plainStore;

        @BeforeAll
        void startStore() {
            plainClient = S3ClientFactory.create(S3ProxyServer.shared().settings(bucket, ChecksumMode.WHEN_REQUIRED));
            plainStore = storeOn(plainClient, S3ProxyServer.shared().settings(bucket, ChecksumMode.WHEN_REQUIRED), PART_SIZE);
        }

        @AfterAll
        void closeClient() {
            plainClient.close();
        }

        @Override
        protected BlobStore store() {
            return plainStore;
        }
    }

    private List<MultipartUpload> pendingUploads(BlobLocation location) {
        return client.listMultipartUploads(b -> b.bucket(bucket).prefix(location.path())).join().uploads();
    }

    private static String freshBucket() {
        return "granary-test-" + UUID.randomUUID().toString().substring(0, 8);
    }

    private static GranaryProperties.S3 withEndpoint(GranaryProperties.S3 s, URI endpoint) {
        return new GranaryProperties.S3(endpoint, s.region(), s.bucket(), s.accessKey(), s.secretKey(), s.pathStyle(),
                s.maxConcurrency(), Duration.ofSeconds(2), Duration.ofSeconds(5), s.apiCallTimeout(), s.checksums(),
                DataSize.ofMegabytes(5));
    }
}
