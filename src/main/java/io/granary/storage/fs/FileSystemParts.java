package io.granary.storage.fs;

import io.granary.error.ErrorCode;
import io.granary.error.GranaryException;
import io.granary.storage.StoredPart;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.springframework.core.io.buffer.DataBuffer;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.SignalType;
import reactor.core.scheduler.Schedulers;

/**
 * Multipart uploads on local disk: each upload is a directory {@code multipart/<uploadId>/}
 * beside (not inside) the blob tree, each write of a part a file {@code <n>.<md5>.<random>} in
 * it, streamed into a temporary file and renamed into place complete. Several writes of one part
 * number may coexist; the caller's record (the file name is its handle) says which one counts.
 * Completion concatenates the chosen files into a temporary file, which the blob store renames
 * into place atomically, then removes the directory. The copy runs in the kernel
 * ({@link FileChannel#transferTo}): a listed part's ETag is checked against the MD5 its name
 * carries from when it was written, so its bytes are not read into the JVM a second time.
 */
final class FileSystemParts {

    private static final Pattern ID = Pattern.compile("[a-f0-9]{32}");
    /** A part's file name: number, MD5 of its bytes, and a random suffix that keeps rewrites apart. */
    private static final Pattern HANDLE = Pattern.compile("([0-9]{1,5})\\.([a-f0-9]{32})\\.[a-f0-9]{32}");
    private static final String META = "meta.properties";

    private final Path uploads;
    private final Path tmp;

    FileSystemParts(Path uploads, Path tmp) {
        this.uploads = uploads;
        this.tmp = tmp;
        try {
            Files.createDirectories(uploads);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + uploads, e);
        }
    }

    Mono<String> create(Map<String, String> metadata) {
        return blocking(() -> {
            String id = UUID.randomUUID().toString().replace("-", "");
            Path dir = Files.createDirectory(uploads.resolve(id));
            Properties properties = new Properties();
            properties.putAll(metadata);
            try (OutputStream out = Files.newOutputStream(dir.resolve(META))) {
                properties.store(out, null);
            }
            return id;
        });
    }

    Mono<StoredPart> upload(String uploadId, int partNumber, Flux<DataBuffer> body, long length) {
        return Mono.defer(() -> {
            Path dir = directory(uploadId);
            Path temp = tmp.resolve(UUID.randomUUID() + ".part");
            MessageDigest md5 = md5();
            AtomicLong seen = new AtomicLong();
            Flux<DataBuffer> digested = body.doOnNext(buffer -> {
                seen.addAndGet(buffer.readableByteCount());
                try (DataBuffer.ByteBufferIterator views = buffer.readableByteBuffers()) {
                    views.forEachRemaining(md5::update);
                }
            });
            return TempFiles.write(digested, temp, FileSystemParts::translate)
                    .then(blocking(() -> {
                        if (seen.get() != length) {
                            throw new GranaryException(ErrorCode.INCOMPLETE_BODY,
                                    "Received " + seen.get() + " bytes, Content-Length said " + length + ".");
                        }
                        try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE)) {
                            channel.force(true);
                        }
                        String etag = HexFormat.of().formatHex(md5.digest());
                        String handle = partNumber + "." + etag + "." + UUID.randomUUID().toString().replace("-", "");
                        try {
                            // Never creates the directory: a part arriving after an abort or a
                            // completion finds it gone and fails instead of leaking.
                            Files.move(temp, dir.resolve(handle), StandardCopyOption.ATOMIC_MOVE);
                        } catch (NoSuchFileException e) {
                            throw notFound();
                        }
                        return new StoredPart(partNumber, etag, length, handle);
                    }))
                    .doFinally(signal -> {
                        if (signal != SignalType.ON_COMPLETE) {
                            Mono.fromCallable(() -> Files.deleteIfExists(temp)).subscribeOn(Schedulers.boundedElastic())
                                    .subscribe(null, error -> { });
                        }
                    });
        });
    }

    /** Concatenates {@code parts} into a new temporary file and returns it with the upload's blob metadata. */
    Mono<Assembled> assemble(String uploadId, List<StoredPart> parts) {
        return blocking(() -> {
            Path dir = directory(uploadId);
            if (!Files.isDirectory(dir)) {
                throw notFound();
            }
            Path temp = tmp.resolve(UUID.randomUUID() + ".part");
            boolean done = false;
            try (FileChannel out = FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                for (StoredPart part : parts) {
                    append(dir, part, out);
                }
                out.force(true);
                done = true;
            } finally {
                if (!done) {
                    Files.deleteIfExists(temp);
                }
            }
            return new Assembled(temp, metadata(dir));
        });
    }

    /** A concatenation ready to be renamed into place. */
    record Assembled(Path file, Map<String, String> metadata) {
    }

    /** Appends the file of {@code part} to {@code out}, if it is the one written with the part's ETag and size. */
    private static void append(Path dir, StoredPart part, FileChannel out) throws IOException {
        Matcher handle = part.handle() == null ? null : HANDLE.matcher(part.handle());
        if (handle == null || !handle.matches() || Integer.parseInt(handle.group(1)) != part.number()
                || !handle.group(2).equals(part.etag())) {
            throw invalidPart(part);
        }
        try (FileChannel in = FileChannel.open(dir.resolve(part.handle()), StandardOpenOption.READ)) {
            long size = in.size();
            if (size != part.size()) {
                throw invalidPart(part);
            }
            for (long copied = 0; copied < size; ) {
                long sent = in.transferTo(copied, size - copied, out);
                if (sent <= 0) {
                    throw new IOException("Copied " + copied + " of the " + size + " bytes of " + part.handle());
                }
                copied += sent;
            }
        } catch (NoSuchFileException e) {
            throw invalidPart(part);
        }
    }

    Mono<Void> abort(String uploadId) {
        return blocking(() -> {
            Path dir = directory(uploadId);
            // A part renamed in while the directory is emptied makes the last delete fail: retry.
            for (int attempt = 0; ; attempt++) {
                try {
                    deleteTree(dir);
                    return null;
                } catch (DirectoryNotEmptyException e) {
                    if (attempt >= 5) {
                        throw e;
                    }
                }
            }
        }).then();
    }

    /**
     * Removes the upload directories created before {@code before} (the time their metadata file
     * was written, once, at creation); completes with how many.
     */
    Mono<Long> abortStartedBefore(Instant before) {
        return blocking(() -> {
            long removed = 0;
            try (DirectoryStream<Path> dirs = Files.newDirectoryStream(uploads)) {
                for (Path dir : dirs) {
                    if (!ID.matcher(dir.getFileName().toString()).matches()) {
                        continue;
                    }
                    FileTime created;
                    try {
                        created = Files.getLastModifiedTime(dir.resolve(META));
                    } catch (NoSuchFileException e) {
                        continue; // being created or removed right now
                    }
                    if (created.toInstant().isBefore(before)) {
                        deleteTree(dir);
                        removed++;
                    }
                }
            }
            return removed;
        });
    }

    Mono<Void> discard(String uploadId, StoredPart part) {
        return blocking(() -> {
            if (part.handle() != null && HANDLE.matcher(part.handle()).matches()) {
                Files.deleteIfExists(directory(uploadId).resolve(part.handle()));
            }
            return null;
        }).then();
    }

    /** Whether the directory of the upload exists (for tests and checks). */
    boolean exists(String uploadId) {
        return Files.isDirectory(directory(uploadId));
    }

    private Path directory(String uploadId) {
        if (uploadId == null || !ID.matcher(uploadId).matches()) {
            throw notFound();
        }
        return uploads.resolve(uploadId);
    }

    private static Map<String, String> metadata(Path dir) throws IOException {
        Properties properties = new Properties();
        try (InputStream in = Files.newInputStream(dir.resolve(META))) {
            properties.load(in);
        } catch (NoSuchFileException e) {
            return Map.of();
        }
        Map<String, String> metadata = new HashMap<>();
        properties.forEach((name, value) -> metadata.put((String) name, (String) value));
        return metadata;
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path path : (Iterable<Path>) walk.sorted(Comparator.reverseOrder())::iterator) {
                Files.deleteIfExists(path);
            }
        } catch (NoSuchFileException e) {
            // removed meanwhile by another abort
        }
    }

    private static GranaryException notFound() {
        return new GranaryException(ErrorCode.UPLOAD_NOT_FOUND, "The store has no such multipart upload.");
    }

    private static GranaryException invalidPart(StoredPart part) {
        return new GranaryException(ErrorCode.INVALID_PART, "Part " + part.number() + " is not stored with ETag \""
                + part.etag() + "\".");
    }

    private static MessageDigest md5() {
        try {
            return MessageDigest.getInstance("MD5");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("MD5 is required of every JVM", e);
        }
    }

    private static <T> Mono<T> blocking(Callable<T> call) {
        return Mono.fromCallable(call).subscribeOn(Schedulers.boundedElastic()).onErrorMap(FileSystemParts::translate);
    }

    private static Throwable translate(Throwable error) {
        if (error instanceof IOException || error instanceof UncheckedIOException) {
            return new GranaryException(ErrorCode.STORE_ERROR, "File store failure: " + error.getMessage(), error);
        }
        return error;
    }
}
