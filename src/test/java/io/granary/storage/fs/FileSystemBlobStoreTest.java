package io.granary.storage.fs;

import static org.assertj.core.api.Assertions.assertThat;

import io.granary.error.ErrorCode;
import io.granary.storage.BlobLocation;
import io.granary.storage.BlobStore;
import io.granary.storage.BlobStoreContract;
import io.granary.storage.StoredPart;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DefaultDataBufferFactory;
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
}
