package io.granary.storage.fs;

import static org.assertj.core.api.Assertions.assertThat;

import io.granary.common.BufferBatches;
import io.granary.error.ErrorCode;
import io.granary.storage.BlobLocation;
import io.granary.storage.BlobStore;
import io.granary.storage.BlobStoreContract;
import io.granary.storage.StoredPart;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DefaultDataBufferFactory;
import org.springframework.core.io.buffer.NettyDataBufferFactory;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;

/** The blob store contract on local disk, plus what only the filesystem adapter promises. */
class FileSystemBlobStoreTest extends BlobStoreContract {

    @TempDir
    Path directory;

    private FileSystemBlobStore store;

    @BeforeEach
    void openStore() {
        store = new FileSystemBlobStore(directory);
    }

    @Override
    protected BlobStore store() {
        return store;
    }

    @AfterEach
    void noTemporaryFilesRemain() throws Exception {
        Path tmp = directory.resolve("tmp");
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (count(tmp) > 0 && System.nanoTime() < deadline) {
            Thread.sleep(20); // deletion after a cancel runs asynchronously
        }
        assertThat(count(tmp)).as("temporary files left in %s", tmp).isZero();
    }

    private static long count(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.count();
        }
    }

    @Test
    void lengthShorterThanDeclaredIsRejectedAndLeavesNothing() {
        BlobLocation location = BlobLocation.of("aaaaaaaaaaaaaaaaaaaaaaaa", "bbbbbbbbbbbbbbbbbbbbbbbb", "cccccccccccccccccccccccc");
        Flux<DataBuffer> body = Flux.just(DefaultDataBufferFactory.sharedInstance.wrap(new byte[10]));
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> store.put(location, body, 20L, Map.of()).block())
                .hasMessageContaining("Content-Length");
        assertThat(store.head(location).block()).isNull();
    }

    @Test
    void completionChecksEachPartAgainstItsFileWithoutReadingItAgain() throws IOException {
        BlobLocation target = location("checked-parts");
        byte[] data = randomBytes(1000);
        String uploadId = store.createMultipart(target, Map.of()).block();
        StoredPart part = store.uploadPart(target, uploadId, 1, body(data), data.length).block();
        Path file = directory.resolve("multipart").resolve(uploadId).resolve(part.handle());
        assertThat(part.handle()).as("the handle names the part and its MD5").startsWith("1." + part.etag() + ".");

        assertFailsWith(() -> store.completeMultipart(target, uploadId,
                List.of(new StoredPart(1, part.etag(), part.size() + 1, part.handle()))).block(), ErrorCode.INVALID_PART);
        assertFailsWith(() -> store.completeMultipart(target, uploadId,
                List.of(new StoredPart(1, part.etag(), part.size(), "1." + part.etag()))).block(), ErrorCode.INVALID_PART);
        // A file changed on disk after it was written: its length no longer matches the record.
        byte[] original = Files.readAllBytes(file);
        Files.write(file, new byte[10]);
        assertFailsWith(() -> store.completeMultipart(target, uploadId, List.of(part)).block(), ErrorCode.INVALID_PART);
        assertThat(store.head(target).block()).isNull();

        Files.write(file, original);
        store.completeMultipart(target, uploadId, List.of(part)).block();
        assertSameBytes(read(target, null), data);
    }

    @Test
    void staleTemporaryFilesArePurgedFreshOnesKept() throws IOException {
        Path tmp = directory.resolve("tmp");
        Path stale = Files.writeString(tmp.resolve("old.part"), "x");
        Files.setLastModifiedTime(stale, FileTime.from(Instant.now().minus(Duration.ofHours(2))));
        Path fresh = Files.writeString(tmp.resolve("new.part"), "y");
        assertThat(store.purgeTemporaryFiles(Duration.ofHours(1)).block()).isEqualTo(1L);
        assertThat(stale).doesNotExist();
        assertThat(fresh).exists();
        Files.delete(fresh);
    }

    @Test
    void aBodyInCompositeBatchesStoresItsExactBytesAndReleasesThem() {
        // Larger than the background flush interval, in the 1 MiB composite buffers uploads
        // arrive in: each is one gathering write.
        byte[] data = randomBytes((int) (2 * Writeback.FLUSH_BYTES) + 12_345);
        List<ByteBuf> sent = new CopyOnWriteArrayList<>();
        BlobLocation location = location("batched");

        put(location, BufferBatches.coalesce(nettyChunks(data, sent), 1024 * 1024), (long) data.length);

        assertSameBytes(read(location, null), data);
        assertThat(sent).allSatisfy(buffer -> assertThat(buffer.refCnt()).isZero());
    }

    @Test
    void aCancelledBatchedBodyLeavesNothingAndReleasesEveryBuffer() throws InterruptedException {
        byte[] data = randomBytes(8 * 1024 * 1024);
        List<ByteBuf> sent = new CopyOnWriteArrayList<>();
        BlobLocation location = location("batched-cancelled");
        Flux<DataBuffer> endless = Flux.concat(BufferBatches.coalesce(nettyChunks(data, sent), 1024 * 1024), Flux.never());

        Disposable upload = store.put(location, endless, null, Map.of()).subscribe(done -> { }, error -> { });
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (sent.size() < 64 && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        upload.dispose();

        while (sent.stream().anyMatch(buffer -> buffer.refCnt() > 0) && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(sent).isNotEmpty().allSatisfy(buffer -> assertThat(buffer.refCnt()).isZero());
        assertThat(store.head(location).block()).isNull();
    }

    /** {@code data} as pooled 64 KiB Netty buffers, allocated when requested and recorded in {@code sent}. */
    private static Flux<DataBuffer> nettyChunks(byte[] data, List<ByteBuf> sent) {
        NettyDataBufferFactory factory = new NettyDataBufferFactory(PooledByteBufAllocator.DEFAULT);
        int chunk = 64 * 1024;
        return Flux.range(0, (data.length + chunk - 1) / chunk).map(i -> {
            int length = Math.min(chunk, data.length - i * chunk);
            ByteBuf buffer = PooledByteBufAllocator.DEFAULT.directBuffer(length).writeBytes(data, i * chunk, length);
            sent.add(buffer);
            return factory.wrap(buffer);
        });
    }
}
