package io.granary.security;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/** Files holding generated secrets (the root key, the first admin's password). */
public final class SecretFiles {

    private SecretFiles() {
    }

    /**
     * Writes {@code secret} and a newline to {@code file}, readable by the owner only. The file
     * is written completely under another name, then moved into place: a crash never leaves an
     * empty or partial secret behind.
     */
    public static void writeOwnerOnly(Path file, String secret) throws IOException {
        Path directory = file.toAbsolutePath().getParent();
        Files.createDirectories(directory);
        Path part = Files.createTempFile(directory, file.getFileName().toString(), ".part", ownerOnly());
        try {
            Files.writeString(part, secret + "\n", StandardCharsets.UTF_8);
            try (FileChannel channel = FileChannel.open(part, StandardOpenOption.WRITE)) {
                channel.force(true);
            }
            Files.move(part, file, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(part);
        }
    }

    private static FileAttribute<?>[] ownerOnly() {
        if (!FileSystems.getDefault().supportedFileAttributeViews().contains("posix")) {
            return new FileAttribute<?>[0];
        }
        return new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(
                Set.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE))};
    }
}
