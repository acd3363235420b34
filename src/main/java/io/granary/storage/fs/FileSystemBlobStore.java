package io.granary.storage.fs;

import io.granary.error.ErrorCode;
import io.granary.error.GranaryException;
import io.granary.storage.BlobContent;
import io.granary.storage.BlobInfo;
import io.granary.storage.BlobLocation;
import io.granary.storage.BlobStore;
import io.granary.storage.ByteRange;
import io.granary.storage.MultipartStore;
import io.granary.storage.StoredPart;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousFileChannel;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.UserDefinedFileAttributeView;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferFactory;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.core.io.buffer.DefaultDataBufferFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.SignalType;
import reactor.core.scheduler.Schedulers;

/**
 * Blobs as files under a root directory. A write streams into a temporary file in the same
 * file system, forces it to disk and renames it atomically into place, so a blob is either
 * complete or absent. Blocking file-system calls run on the bounded-elastic scheduler; the
 * bytes themselves move through asynchronous channels.
 *
 * <p>Multipart uploads keep their parts under {@code multipart/}, outside the blob tree, and
 * the caller records which write of each part counts ({@link #tracksParts()} is false); see
 * {@link FileSystemParts}. No presigned part URLs.
 */
public final class FileSystemBlobStore implements BlobStore, MultipartStore {

    private static final Logger log = LoggerFactory.getLogger(FileSystemBlobStore.class);
    private static final int READ_BUFFER_SIZE = 64 * 1024;
    private static final String TMP_SUFFIX = ".part";

    private final Path root;
    private final Path tmp;
    private final DataBufferFactory bufferFactory;
    private final FileSystemParts parts;

    /**
     * @param directory the store's own directory; blobs go to {@code blobs/}, uploads in flight to
     *     {@code tmp/}, parts of multipart uploads to {@code multipart/}
     */
    public FileSystemBlobStore(Path directory) {
        this.root = directory.resolve("blobs").toAbsolutePath().normalize();
        this.tmp = directory.resolve("tmp").toAbsolutePath().normalize();
        // Heap buffers: read buffers are handed to the HTTP layer, which releases them; a pooled
        // factory would gain little for file reads and risks leaks on exotic cancel paths.
        this.bufferFactory = DefaultDataBufferFactory.sharedInstance;
        try {
            Files.createDirectories(root);
            Files.createDirectories(tmp);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create store directories under " + directory, e);
        }
        this.parts = new FileSystemParts(directory.resolve("multipart").toAbsolutePath().normalize(), tmp);
    }

    @Override
    public Mono<Void> put(BlobLocation location, Flux<DataBuffer> body, Long length, Map<String, String> metadata) {
        Path target = resolve(location);
        return Mono.defer(() -> {
            Path part = tmp.resolve(UUID.randomUUID() + TMP_SUFFIX);
            return TempFiles.write(body, part, e -> translate(e, null))
                    .then(blocking(() -> {
                        commit(part, target, length, metadata);
                        return null;
                    }))
                    .doFinally(signal -> {
                        if (signal != SignalType.ON_COMPLETE) {
                            deleteLater(part);
                        }
                    })
                    .then();
        });
    }

    private void commit(Path part, Path target, Long length, Map<String, String> metadata) throws IOException {
        try (FileChannel channel = FileChannel.open(part, StandardOpenOption.WRITE)) {
            if (length != null && channel.size() != length) {
                throw new GranaryException(ErrorCode.INCOMPLETE_BODY,
                        "Received " + channel.size() + " bytes, Content-Length said " + length + ".");
            }
            channel.force(true);
        }
        writeAttributes(part, metadata);
        Files.createDirectories(target.getParent());
        if (Files.exists(target)) {
            throw new FileAlreadyExistsException(target.toString());
        }
        Files.move(part, target, StandardCopyOption.ATOMIC_MOVE);
        forceDirectory(target.getParent());
    }

    /** Makes the rename itself durable: a power loss must not undo a blob a record points at. */
    private static void forceDirectory(Path directory) {
        try (FileChannel channel = FileChannel.open(directory, StandardOpenOption.READ)) {
            channel.force(true);
        } catch (IOException e) {
            // Some platforms cannot open directories; the rename is then as durable as they make it.
            log.debug("cannot fsync directory {}: {}", directory, e.toString());
        }
    }

    @Override
    public Mono<BlobContent> open(BlobLocation location, ByteRange range) {
        Path path = resolve(location);
        return blocking(location, () -> Files.size(path)).map(size -> {
            long position = range == null ? 0 : range.first();
            long count = range == null ? size : Math.min(range.length(), Math.max(0, size - position));
            Callable<AsynchronousFileChannel> opener = () -> AsynchronousFileChannel.open(path, StandardOpenOption.READ);
            Flux<DataBuffer> stream = count == 0 ? Flux.empty()
                    : DataBufferUtils.takeUntilByteCount(
                            DataBufferUtils.readAsynchronousFileChannel(opener, position, bufferFactory, READ_BUFFER_SIZE),
                            count);
            return new BlobContent.LocalFile(path, position, count, stream.onErrorMap(e -> translate(e, location)));
        });
    }

    @Override
    public Mono<BlobInfo> head(BlobLocation location) {
        Path path = resolve(location);
        return blocking(() -> {
            try {
                BasicFileAttributes attributes = Files.readAttributes(path, BasicFileAttributes.class);
                return new BlobInfo(location, attributes.size(), attributes.lastModifiedTime().toInstant());
            } catch (NoSuchFileException e) {
                return null;
            }
        });
    }

    @Override
    public Mono<Void> delete(BlobLocation location) {
        Path path = resolve(location);
        return blocking(() -> {
            Files.deleteIfExists(path);
            return null;
        }).then();
    }

    @Override
    public Mono<Void> copy(BlobLocation source, BlobLocation target, Map<String, String> metadata) {
        Path from = resolve(source);
        Path to = resolve(target);
        return blocking(() -> {
            Path part = tmp.resolve(UUID.randomUUID() + TMP_SUFFIX);
            try {
                Files.copy(from, part);
                commit(part, to, null, metadata);
            } finally {
                Files.deleteIfExists(part);
            }
            return null;
        }).then();
    }

    @Override
    public Flux<BlobInfo> list(String prefix) {
        return Flux.defer(() -> {
            if (!Files.isDirectory(root)) {
                return Flux.empty();
            }
            Stream<Path> files;
            try {
                files = Files.walk(root);
            } catch (IOException e) {
                return Flux.error(translate(e, null));
            }
            return Flux.fromStream(files)
                    .filter(Files::isRegularFile)
                    .mapNotNull(this::infoOf)
                    .filter(info -> info.location().path().startsWith(prefix));
        }).subscribeOn(Schedulers.boundedElastic());
    }

    private BlobInfo infoOf(Path file) {
        String relative = root.relativize(file).toString().replace(file.getFileSystem().getSeparator(), "/");
        try {
            BlobLocation location = new BlobLocation(relative);
            BasicFileAttributes attributes = Files.readAttributes(file, BasicFileAttributes.class);
            return new BlobInfo(location, attributes.size(), attributes.lastModifiedTime().toInstant());
        } catch (IllegalArgumentException | IOException e) {
            return null; // not one of ours, or gone meanwhile
        }
    }

    @Override
    public Mono<String> createMultipart(BlobLocation target, Map<String, String> metadata) {
        return parts.create(metadata);
    }

    @Override
    public Mono<StoredPart> uploadPart(BlobLocation target, String uploadId, int partNumber, Flux<DataBuffer> body,
                                       long length) {
        return parts.upload(uploadId, partNumber, body, length);
    }

    @Override
    public boolean tracksParts() {
        return false;
    }

    @Override
    public Flux<StoredPart> listParts(BlobLocation target, String uploadId) {
        return Flux.error(new UnsupportedOperationException("the filesystem store does not track parts; its caller does"));
    }

    @Override
    public Mono<Void> completeMultipart(BlobLocation target, String uploadId, List<StoredPart> chosen) {
        Path path = resolve(target);
        return parts.assemble(uploadId, chosen)
                .flatMap(assembled -> blocking(() -> {
                    try {
                        commit(assembled.file(), path, null, assembled.metadata());
                    } finally {
                        Files.deleteIfExists(assembled.file());
                    }
                    return null;
                }))
                .then(parts.abort(uploadId));
    }

    @Override
    public Mono<Void> abortMultipart(BlobLocation target, String uploadId) {
        return parts.abort(uploadId);
    }

    @Override
    public Mono<Long> abortStartedBefore(Instant startedBefore) {
        return parts.abortStartedBefore(startedBefore);
    }

    @Override
    public Mono<Void> discardPart(BlobLocation target, String uploadId, StoredPart part) {
        return parts.discard(uploadId, part);
    }

    /** Whether the parts of a multipart upload are still on disk. */
    public boolean holdsMultipart(String uploadId) {
        return parts.exists(uploadId);
    }

    @Override
    public Mono<Void> check() {
        return blocking(() -> {
            if (!Files.isDirectory(root) || !Files.isWritable(tmp)) {
                throw new GranaryException(ErrorCode.STORE_UNAVAILABLE, "Store directory is not writable: " + tmp);
            }
            return null;
        }).then();
    }

    /**
     * Deletes temporary files older than {@code age}: what a crashed process left behind. Files
     * younger than that may belong to uploads in flight on this node.
     */
    public Mono<Long> purgeTemporaryFiles(Duration age) {
        return blocking(() -> {
            Instant cutoff = Instant.now().minus(age);
            long removed = 0;
            try (Stream<Path> files = Files.list(tmp)) {
                for (Path file : (Iterable<Path>) files::iterator) {
                    try {
                        if (Files.getLastModifiedTime(file).toInstant().isBefore(cutoff) && Files.deleteIfExists(file)) {
                            removed++;
                        }
                    } catch (NoSuchFileException e) {
                        // renamed into place or cleaned up meanwhile
                    }
                }
            }
            return removed;
        });
    }

    private static void writeAttributes(Path file, Map<String, String> metadata) {
        UserDefinedFileAttributeView view = Files.getFileAttributeView(file, UserDefinedFileAttributeView.class);
        if (view == null || metadata.isEmpty()) {
            return;
        }
        try {
            for (Map.Entry<String, String> entry : metadata.entrySet()) {
                view.write("granary." + entry.getKey(), ByteBuffer.wrap(entry.getValue().getBytes(StandardCharsets.UTF_8)));
            }
        } catch (IOException | UnsupportedOperationException e) {
            // Extended attributes are a recovery aid (logical key beside the bytes), not a
            // requirement: some file systems refuse them.
            log.debug("extended attributes not stored on {}: {}", file, e.toString());
        }
    }

    private Path resolve(BlobLocation location) {
        Path path = root.resolve(location.path()).normalize();
        if (!path.startsWith(root)) {
            throw new IllegalArgumentException("location escapes the store: " + location);
        }
        return path;
    }

    private void deleteLater(Path file) {
        Mono.fromCallable(() -> Files.deleteIfExists(file))
                .subscribeOn(Schedulers.boundedElastic())
                .subscribe(null, e -> log.warn("could not delete temporary file {}", file, e));
    }

    private static <T> Mono<T> blocking(Callable<T> call) {
        return blocking(null, call);
    }

    private static <T> Mono<T> blocking(BlobLocation location, Callable<T> call) {
        return Mono.fromCallable(call)
                .subscribeOn(Schedulers.boundedElastic())
                .onErrorMap(e -> translate(e, location));
    }

    private static Throwable translate(Throwable error, BlobLocation location) {
        if (error instanceof GranaryException) {
            return error;
        }
        if (error instanceof NoSuchFileException) {
            return new GranaryException(ErrorCode.BLOB_NOT_FOUND,
                    location == null ? "A blob does not exist." : "Blob " + location + " does not exist.", error);
        }
        if (error instanceof IOException || error instanceof UncheckedIOException) {
            return new GranaryException(ErrorCode.STORE_ERROR, "File store failure: " + error.getMessage(), error);
        }
        return error;
    }
}
