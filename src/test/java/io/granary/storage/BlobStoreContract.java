package io.granary.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.granary.error.ErrorCode;
import io.granary.error.GranaryException;
import io.netty.buffer.PooledByteBufAllocator;
import java.io.ByteArrayOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.core.io.buffer.DataBufferWrapper;
import org.springframework.core.io.buffer.NettyDataBufferFactory;
import org.springframework.core.io.buffer.PooledDataBuffer;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;

/**
 * What every {@link BlobStore} adapter must do, run against a real store by each adapter's test.
 *
 * <p>Bodies are made of pooled Netty buffers, wrapped so that every test also checks that the
 * store released each buffer it took exactly when it should (Netty's leak detector only reports
 * leaks at garbage collection, long after the test that caused them). Reads are joined here, in
 * the test; production code never joins a body.
 */
public abstract class BlobStoreContract {

    private static final NettyDataBufferFactory POOLED = new NettyDataBufferFactory(PooledByteBufAllocator.DEFAULT);
    private static final int CHUNK = 64 * 1024;
    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    private final List<Tracked> taken = new CopyOnWriteArrayList<>();
    private final Random random = new Random();
    private String tenant;

    /** The store under test. */
    protected abstract BlobStore store();

    /** Size of the large body: more than two upload parts of the adapter under test. */
    protected int largeSize() {
        return 11 * 1024 * 1024 + 4321;
    }

    /** Bytes after which a large body fails: past the first upload part. */
    protected int pastFirstPart() {
        return 6 * 1024 * 1024;
    }

    @BeforeEach
    void freshTenant() {
        // Each test writes under its own tenant, so tests sharing one store never see each other.
        tenant = "c" + UUID.randomUUID().toString().replace("-", "");
        taken.clear();
    }

    @AfterEach
    void everyBufferTakenWasReleased() throws InterruptedException {
        // Releases after a cancellation may happen on another thread shortly after the fact.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (taken.stream().anyMatch(Tracked::isAllocated) && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(taken.stream().filter(Tracked::isAllocated).count())
                .as("buffers of the body the store did not release").isZero();
    }

    @Test
    void putThenOpenReturnsTheSameBytes() {
        byte[] data = randomBytes(300_000);
        BlobLocation location = location("whole");

        put(location, body(data), (long) data.length);

        assertSameBytes(read(location, null), data);
    }

    @Test
    void putOfUnknownLengthStoresTheBody() {
        byte[] data = randomBytes(300_000);
        BlobLocation location = location("unknown-small");

        put(location, body(data), null);

        assertSameBytes(read(location, null), data);
    }

    @Test
    void putOfUnknownLengthSpanningSeveralPartsStoresTheBody() {
        byte[] data = randomBytes(largeSize());
        BlobLocation location = location("unknown-large");

        put(location, body(data), null);

        assertSameBytes(read(location, null), data);
        assertThat(store().head(location).block(TIMEOUT).size()).isEqualTo(data.length);
    }

    @Test
    void putOfKnownLengthInManyBuffersStoresTheBody() {
        byte[] data = randomBytes(largeSize());
        BlobLocation location = location("known-large");

        put(location, body(data), (long) data.length);

        assertSameBytes(read(location, null), data);
    }

    @ParameterizedTest
    @EnumSource(value = Length.class, names = {"KNOWN", "UNKNOWN"})
    void emptyBlobRoundTrips(Length declared) {
        BlobLocation location = location("empty");

        put(location, body(new byte[0]), declared == Length.KNOWN ? 0L : null);

        assertThat(store().head(location).block(TIMEOUT).size()).isZero();
        assertThat(read(location, null)).isEmpty();
    }

    @Test
    void rangesReturnExactlyTheRequestedBytes() {
        byte[] data = randomBytes(200_000);
        BlobLocation location = location("ranged");
        put(location, body(data), (long) data.length);

        assertThat(read(location, new ByteRange(0, 0))).containsExactly(data[0]);
        assertSameBytes(read(location, new ByteRange(70_000, 140_001)), Arrays.copyOfRange(data, 70_000, 140_002));
        assertThat(read(location, new ByteRange(data.length - 1, data.length - 1))).containsExactly(data[data.length - 1]);
        assertSameBytes(read(location, new ByteRange(0, data.length - 1)), data);
    }

    @Test
    void openOfMissingBlobFailsWithBlobNotFound() {
        assertFailsWith(() -> store().open(location("missing"), null).block(TIMEOUT), ErrorCode.BLOB_NOT_FOUND);
        assertFailsWith(() -> store().open(location("missing"), new ByteRange(0, 9)).block(TIMEOUT), ErrorCode.BLOB_NOT_FOUND);
    }

    @Test
    void headReportsSizeAndWriteTime() {
        Instant before = Instant.now().minusSeconds(120);
        byte[] data = randomBytes(12_345);
        BlobLocation location = location("headed");
        put(location, body(data), (long) data.length);

        BlobInfo info = store().head(location).block(TIMEOUT);

        assertThat(info.location()).isEqualTo(location);
        assertThat(info.size()).isEqualTo(data.length);
        assertThat(info.lastModified()).isBetween(before, Instant.now().plusSeconds(120));
    }

    @Test
    void headOfMissingBlobIsEmpty() {
        assertThat(store().head(location("missing")).blockOptional(TIMEOUT)).isEmpty();
    }

    @Test
    void deleteRemovesTheBlobAndIsIdempotent() {
        BlobLocation location = location("deleted");
        put(location, body(randomBytes(1000)), 1000L);

        store().delete(location).block(TIMEOUT);
        store().delete(location).block(TIMEOUT);
        store().delete(location("never-written")).block(TIMEOUT);

        assertThat(store().head(location).blockOptional(TIMEOUT)).isEmpty();
        assertFailsWith(() -> store().open(location, null).block(TIMEOUT), ErrorCode.BLOB_NOT_FOUND);
    }

    @Test
    void copyDuplicatesTheBytesAndKeepsTheSource() {
        byte[] data = randomBytes(150_000);
        BlobLocation source = location("source");
        BlobLocation target = location("target");
        put(source, body(data), (long) data.length);

        store().copy(source, target, Map.of("logical-key", "copied.bin")).block(TIMEOUT);

        assertSameBytes(read(target, null), data);
        assertSameBytes(read(source, null), data);
    }

    @Test
    void copyOfMissingBlobFailsWithBlobNotFound() {
        assertFailsWith(() -> store().copy(location("missing"), location("target"), Map.of()).block(TIMEOUT),
                ErrorCode.BLOB_NOT_FOUND);
        assertThat(store().head(location("target")).blockOptional(TIMEOUT)).isEmpty();
    }

    @Test
    void listReturnsTheBlobsUnderThePrefix() {
        BlobLocation a = BlobLocation.of(tenant, "b1", "a");
        BlobLocation b = BlobLocation.of(tenant, "b1", "b");
        BlobLocation c = BlobLocation.of(tenant, "b1", "c");
        BlobLocation other = BlobLocation.of(tenant, "b2", "a");
        put(a, body(randomBytes(10)), 10L);
        put(b, body(randomBytes(20)), 20L);
        put(c, body(randomBytes(0)), null);
        put(other, body(randomBytes(40)), 40L);

        List<BlobInfo> listed = store().list(BlobLocation.bucketPrefix(tenant, "b1")).collectList().block(TIMEOUT);

        assertThat(listed).extracting(BlobInfo::location).containsExactlyInAnyOrder(a, b, c);
        assertThat(listed).extracting(BlobInfo::size).containsExactlyInAnyOrder(10L, 20L, 0L);
        assertThat(listed).allSatisfy(info -> assertThat(info.lastModified()).isNotNull());
        assertThat(store().list(BlobLocation.ROOT + tenant + "/").collectList().block(TIMEOUT)).hasSize(4);
        assertThat(store().list(BlobLocation.ROOT + tenant + "x/").collectList().block(TIMEOUT)).isEmpty();
    }

    @ParameterizedTest
    @EnumSource(Failure.class)
    void bodyErrorFailsThePutUnchangedAndLeavesNothing(Failure failure) {
        RuntimeException boom = failure.length == Length.UNKNOWN_LARGE
                ? new IllegalStateException("client went away")
                : new GranaryException(ErrorCode.ENTITY_TOO_LARGE, "over the limit");
        int before = failure.length == Length.UNKNOWN_LARGE ? pastFirstPart() : 100_000;
        byte[] data = randomBytes(before);
        Long declared = failure.length == Length.KNOWN ? Long.valueOf(before * 2L) : null;
        BlobLocation location = location("failed");

        Throwable thrown = catchThrowable(() -> put(location, Flux.concat(body(data), Flux.error(boom)), declared));

        assertThat(thrown).isSameAs(boom);
        assertThat(store().head(location).blockOptional(TIMEOUT)).isEmpty();
        assertThat(store().list(BlobLocation.ROOT + tenant + "/").collectList().block(TIMEOUT)).isEmpty();
    }

    @ParameterizedTest
    @EnumSource(Length.class)
    void cancelledPutStopsReadingTheBodyAndLeavesNothing(Length declared) throws InterruptedException {
        int before = declared == Length.UNKNOWN_LARGE ? pastFirstPart() : 256 * 1024;
        byte[] data = randomBytes(before);
        AtomicLong sent = new AtomicLong();
        CountDownLatch cancelled = new CountDownLatch(1);
        Flux<DataBuffer> endless = Flux.concat(body(data), Flux.<DataBuffer>never())
                .doOnNext(buffer -> sent.addAndGet(buffer.readableByteCount()))
                .doOnCancel(cancelled::countDown);
        BlobLocation location = location("cancelled");

        Disposable upload = store().put(location, endless, declared == Length.KNOWN ? before * 4L : null, Map.of())
                .subscribe(done -> { }, error -> { });
        awaitAtLeast(sent, before);
        Thread.sleep(300); // let the store act on what it has (e.g. upload the first part)
        upload.dispose();

        assertThat(cancelled.await(10, TimeUnit.SECONDS)).as("the store cancelled the body").isTrue();
        Thread.sleep(500); // an abort may still be on its way
        assertThat(store().head(location).blockOptional(TIMEOUT)).isEmpty();
    }

    @Test
    void checkCompletesForAUsableStore() {
        store().check().block(TIMEOUT);
    }

    // ---------------------------------------------------------------- multipart uploads

    /** The store as a {@link MultipartStore}; every adapter is one. */
    protected MultipartStore multipart() {
        return (MultipartStore) store();
    }

    private StoredPart uploadPart(BlobLocation target, String uploadId, int n, byte[] data) {
        return multipart().uploadPart(target, uploadId, n, body(data), data.length).block(TIMEOUT);
    }

    @Test
    void multipartPartsBecomeOneBlobInOrderOnlyOnCompletion() {
        BlobLocation target = location("assembled");
        byte[] one = randomBytes(5 << 20);
        byte[] two = randomBytes(5 << 20);
        byte[] three = randomBytes(12_345);
        String uploadId = multipart().createMultipart(target, Map.of("key", "a/b.bin")).block(TIMEOUT);

        // Uploaded out of order, as concurrent clients do.
        StoredPart p3 = uploadPart(target, uploadId, 3, three);
        StoredPart p1 = uploadPart(target, uploadId, 1, one);
        StoredPart p2 = uploadPart(target, uploadId, 2, two);

        assertThat(p1.etag()).isEqualTo(md5(one));
        assertThat(p3.size()).isEqualTo(three.length);
        assertThat(store().head(target).blockOptional(TIMEOUT)).as("nothing visible before completion").isEmpty();
        if (multipart().tracksParts()) {
            assertThat(multipart().listParts(target, uploadId).collectList().block(TIMEOUT))
                    .extracting(StoredPart::number, StoredPart::etag, StoredPart::size)
                    .containsExactly(org.assertj.core.groups.Tuple.tuple(1, md5(one), (long) one.length),
                            org.assertj.core.groups.Tuple.tuple(2, md5(two), (long) two.length),
                            org.assertj.core.groups.Tuple.tuple(3, md5(three), (long) three.length));
        }

        multipart().completeMultipart(target, uploadId, List.of(p1, p2, p3)).block(TIMEOUT);

        byte[] all = new byte[one.length + two.length + three.length];
        System.arraycopy(one, 0, all, 0, one.length);
        System.arraycopy(two, 0, all, one.length, two.length);
        System.arraycopy(three, 0, all, one.length + two.length, three.length);
        assertSameBytes(read(target, null), all);
        if (!multipart().tracksParts()) {
            // S3 refuses too, but S3Proxy accepts parts for any upload id, so only checked here.
            assertFailsWith(() -> uploadPart(target, uploadId, 4, randomBytes(10)), ErrorCode.UPLOAD_NOT_FOUND);
        }
    }

    @Test
    void partUploadedAgainReplacesTheEarlierOne() {
        BlobLocation target = location("replaced-part");
        byte[] first = randomBytes(1000);
        byte[] second = randomBytes(2000);
        String uploadId = multipart().createMultipart(target, Map.of()).block(TIMEOUT);

        StoredPart earlier = uploadPart(target, uploadId, 1, first);
        StoredPart later = uploadPart(target, uploadId, 1, second);
        multipart().discardPart(target, uploadId, earlier).block(TIMEOUT);
        multipart().completeMultipart(target, uploadId, List.of(later)).block(TIMEOUT);

        assertSameBytes(read(target, null), second);
    }

    @Test
    void completionWithAWrongEtagOrAMissingPartFailsWithInvalidPartAndLeavesNothing() {
        BlobLocation target = location("wrong-etag");
        byte[] data = randomBytes(1000);
        String uploadId = multipart().createMultipart(target, Map.of()).block(TIMEOUT);
        StoredPart part = uploadPart(target, uploadId, 1, data);

        assertFailsWith(() -> multipart().completeMultipart(target, uploadId,
                List.of(new StoredPart(1, md5(new byte[1]), part.size(), part.handle()))).block(TIMEOUT), ErrorCode.INVALID_PART);
        assertFailsWith(() -> multipart().completeMultipart(target, uploadId,
                List.of(new StoredPart(2, part.etag(), part.size(), part.handle()))).block(TIMEOUT), ErrorCode.INVALID_PART);
        assertThat(store().head(target).blockOptional(TIMEOUT)).isEmpty();

        // Still usable after the refusals.
        multipart().completeMultipart(target, uploadId, List.of(part)).block(TIMEOUT);
        assertSameBytes(read(target, null), data);
    }

    @Test
    void abortFreesThePartsAndEndsTheUpload() {
        BlobLocation target = location("aborted");
        String uploadId = multipart().createMultipart(target, Map.of()).block(TIMEOUT);
        StoredPart part = uploadPart(target, uploadId, 1, randomBytes(1000));

        multipart().abortMultipart(target, uploadId).block(TIMEOUT);
        multipart().abortMultipart(target, uploadId).block(TIMEOUT);

        if (!multipart().tracksParts()) {
            assertFailsWith(() -> uploadPart(target, uploadId, 2, randomBytes(10)), ErrorCode.UPLOAD_NOT_FOUND);
        }
        assertThatThrownBy(() -> multipart().completeMultipart(target, uploadId, List.of(part)).block(TIMEOUT))
                .isInstanceOf(GranaryException.class)
                .satisfies(error -> assertThat(((GranaryException) error).code())
                        .isIn(ErrorCode.UPLOAD_NOT_FOUND, ErrorCode.INVALID_PART));
        assertThat(store().head(target).blockOptional(TIMEOUT)).isEmpty();
        if (multipart().tracksParts()) {
            // S3 answers NoSuchUpload; S3Proxy lists nothing.
            List<StoredPart> left;
            try {
                left = multipart().listParts(target, uploadId).collectList().block(TIMEOUT);
            } catch (GranaryException e) {
                assertThat(e.code()).isEqualTo(ErrorCode.UPLOAD_NOT_FOUND);
                left = List.of();
            }
            assertThat(left).isEmpty();
        }
    }

    @Test
    void partBodyShorterThanDeclaredFailsWithIncompleteBody() {
        BlobLocation target = location("short-part");
        String uploadId = multipart().createMultipart(target, Map.of()).block(TIMEOUT);

        assertFailsWith(() -> multipart().uploadPart(target, uploadId, 1, body(randomBytes(500)), 1000).block(TIMEOUT),
                ErrorCode.INCOMPLETE_BODY);

        multipart().abortMultipart(target, uploadId).block(TIMEOUT);
    }

    protected static String md5(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** How a body's length is declared to the store. */
    protected enum Length { KNOWN, UNKNOWN, UNKNOWN_LARGE }

    /** Where a body fails: with a declared length, without, and without after a full part. */
    protected enum Failure {
        KNOWN(Length.KNOWN), UNKNOWN(Length.UNKNOWN), UNKNOWN_LARGE(Length.UNKNOWN_LARGE);

        final Length length;

        Failure(Length length) {
            this.length = length;
        }
    }

    // ---------------------------------------------------------------- helpers for adapter tests

    /** A location under this test's own tenant. */
    protected BlobLocation location(String versionId) {
        return BlobLocation.of(tenant, "b1", versionId);
    }

    /** {@code size} random bytes. */
    protected byte[] randomBytes(int size) {
        byte[] bytes = new byte[size];
        random.nextBytes(bytes);
        return bytes;
    }

    /**
     * {@code data} as a body of pooled 64 KiB buffers, each allocated only when requested and
     * recorded so that the test fails if the store does not release it.
     */
    protected Flux<DataBuffer> body(byte[] data) {
        int chunks = (data.length + CHUNK - 1) / CHUNK;
        return Flux.range(0, chunks).map(i -> {
            int from = i * CHUNK;
            int length = Math.min(CHUNK, data.length - from);
            DataBuffer buffer = POOLED.allocateBuffer(length);
            buffer.write(data, from, length);
            Tracked tracked = new Tracked(buffer);
            taken.add(tracked);
            return tracked;
        });
    }

    /** Stores a body and waits for the store to finish. */
    protected void put(BlobLocation location, Flux<DataBuffer> body, Long length) {
        store().put(location, body, length, Map.of("logical-key", "dir/" + location.path())).block(TIMEOUT);
    }

    /** The bytes of a blob or of a range of it, releasing every buffer read. */
    protected byte[] read(BlobLocation location, ByteRange range) {
        return store().open(location, range)
                .flatMap(content -> content.stream().reduce(new ByteArrayOutputStream(), (out, buffer) -> {
                    try {
                        byte[] bytes = new byte[buffer.readableByteCount()];
                        buffer.read(bytes);
                        out.writeBytes(bytes);
                        return out;
                    } finally {
                        DataBufferUtils.release(buffer);
                    }
                }))
                .map(ByteArrayOutputStream::toByteArray)
                .block(TIMEOUT);
    }

    /** Asserts equal length and SHA-256, which reports large mismatches readably. */
    protected static void assertSameBytes(byte[] actual, byte[] expected) {
        assertThat(actual).hasSize(expected.length);
        assertThat(sha256(actual)).isEqualTo(sha256(expected));
    }

    /** Asserts that {@code call} throws a {@link GranaryException} with {@code code}. */
    protected static void assertFailsWith(Runnable call, ErrorCode code) {
        assertThatThrownBy(call::run)
                .isInstanceOf(GranaryException.class)
                .satisfies(error -> assertThat(((GranaryException) error).code()).isEqualTo(code));
    }

    private static Throwable catchThrowable(Runnable call) {
        try {
            call.run();
            return null;
        } catch (Throwable thrown) {
            return thrown;
        }
    }

    private static void awaitAtLeast(AtomicLong counter, long target) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (counter.get() < target) {
            assertThat(System.nanoTime()).as("store read %d of %d bytes", counter.get(), target).isLessThan(deadline);
            Thread.sleep(10);
        }
    }

    private static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * A pooled buffer that counts its own references, so a missing release is seen as soon as
     * the test ends (a Netty buffer's own count is useless for that: released buffers are
     * recycled into new ones).
     */
    private static final class Tracked extends DataBufferWrapper implements PooledDataBuffer {

        private final AtomicInteger references = new AtomicInteger(1);

        Tracked(DataBuffer delegate) {
            super(delegate);
        }

        @Override
        public boolean isAllocated() {
            return references.get() > 0;
        }

        @Override
        public PooledDataBuffer retain() {
            references.incrementAndGet();
            DataBufferUtils.retain(dataBuffer());
            return this;
        }

        @Override
        public PooledDataBuffer touch(Object hint) {
            DataBufferUtils.touch(dataBuffer(), hint);
            return this;
        }

        @Override
        public boolean release() {
            if (references.decrementAndGet() < 0) {
                throw new IllegalStateException("released more often than retained");
            }
            return DataBufferUtils.release(dataBuffer());
        }
    }
}
