package io.granary.security;

import io.granary.config.GranaryProperties;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
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
            String key = "grr_" + Secrets.newSecret();
            SecretFiles.writeOwnerOnly(file, key);
            // The key itself stays out of the log: logs are shipped and kept where secrets must not be.
            log.info("Generated a root key and wrote it to {} (mode 600)", file.toAbsolutePath());
            return key;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read or create the root key file " + file, e);
        }
    }
}
