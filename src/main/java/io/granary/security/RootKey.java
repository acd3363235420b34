package io.granary.security;

import io.granary.config.GranaryProperties;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.channels.FileChannel;
import java.nio.file.FileSystems;
import java.nio.file.StandardOpenOption;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * The root credential. Taken from {@code GRANARY_ROOT_KEY} (32 characters or more) when set;
 * otherwise read from {@code <data-dir>/root.key}, which the first start generates with mode
 * 600 and announces once in the log.
 */
@Component
public class RootKey {

    private static final Logger log = LoggerFactory.getLogger(RootKey.class);
    static final int MIN_LENGTH = 32;

    private final String digest;

    public RootKey(GranaryProperties properties) {
        String configured = properties.rootKey();
        if (configured != null && !configured.isBlank()) {
            if (configured.length() < MIN_LENGTH) {
                throw new IllegalStateException("GRANARY_ROOT_KEY must be at least " + MIN_LENGTH + " characters long");
            }
            this.digest = Secrets.sha256Hex(configured);
        } else {
            this.digest = Secrets.sha256Hex(loadOrGenerate(properties.dataDir().resolve("root.key")));
        }
    }

    /** Whether {@code candidate} is the root key (constant-time on the digests). */
    public boolean matches(String candidate) {
        return Secrets.sameDigest(digest, candidate);
    }

    private static String loadOrGenerate(Path file) {
        try {
            if (Files.exists(file)) {
                String key = Files.readString(file, StandardCharsets.UTF_8).strip();
                if (key.length() < MIN_LENGTH) {
                    throw new IllegalStateException("The root key file " + file + " is damaged (shorter than "
                            + MIN_LENGTH + " characters); delete it to generate a new key, or set GRANARY_ROOT_KEY.");
                }
                return key;
            }
            Path directory = file.toAbsolutePath().getParent();
            Files.createDirectories(directory);
            String key = "grr_" + Secrets.newSecret();
            // Written completely under another name, then moved into place: a crash never leaves
            // an empty or partial key file behind.
            Path part = Files.createTempFile(directory, "root.key", ".part", ownerOnly());
            try {
                Files.writeString(part, key + "\n", StandardCharsets.UTF_8);
                try (FileChannel channel = FileChannel.open(part, StandardOpenOption.WRITE)) {
                    channel.force(true);
                }
                Files.move(part, file, StandardCopyOption.ATOMIC_MOVE);
            } finally {
                Files.deleteIfExists(part);
            }
            log.warn("Generated a root key and wrote it to {} (mode 600). Root key: {}", file.toAbsolutePath(), key);
            return key;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read or create the root key file " + file, e);
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
