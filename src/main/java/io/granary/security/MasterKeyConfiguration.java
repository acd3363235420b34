package io.granary.security;

import io.granary.config.GranaryProperties;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The master key that seals recoverable secrets ({@link SecretSealer}): {@code GRANARY_MASTER_KEY}
 * (32 bytes, base64) when set, else {@code <data-dir>/master.key}, which the first start
 * generates with mode 600. Keys that only open older values come from
 * {@code GRANARY_MASTER_KEY_PREVIOUS} (comma-separated); a key file left in the data directory
 * after switching to {@code GRANARY_MASTER_KEY} is one of them, so that switch loses nothing.
 * Several nodes sharing one MongoDB must share the key: set it on each.
 */
@Configuration(proxyBeanMethods = false)
class MasterKeyConfiguration {

    private static final Logger log = LoggerFactory.getLogger(MasterKeyConfiguration.class);
    static final String FILE_NAME = "master.key";

    @Bean
    SecretSealer secretSealer(GranaryProperties properties, @Value("${granary.master-key:}") String configured,
                              @Value("${granary.master-key-previous:}") String previous) {
        Path file = properties.dataDir().resolve(FILE_NAME);
        List<byte[]> older = new ArrayList<>();
        for (String key : previous.split(",")) {
            if (!key.isBlank()) {
                older.add(decode(key.strip(), "GRANARY_MASTER_KEY_PREVIOUS"));
            }
        }
        byte[] current;
        if (configured.isBlank()) {
            current = loadOrGenerate(file);
        } else {
            current = decode(configured.strip(), "GRANARY_MASTER_KEY");
            if (Files.exists(file)) {
                older.add(read(file));
            }
        }
        log.info("Secrets are sealed under master key {} ({} older key(s) accepted)", AesGcmSecretSealer.keyId(current),
                older.stream().filter(key -> !Arrays.equals(key, current)).count());
        return new AesGcmSecretSealer(current, older);
    }

    private static byte[] decode(String base64, String setting) {
        byte[] key;
        try {
            key = Base64.getDecoder().decode(base64.replace('-', '+').replace('_', '/'));
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException(setting + " must be base64 (generate one: openssl rand -base64 32)");
        }
        if (key.length != AesGcmSecretSealer.KEY_BYTES) {
            throw new IllegalStateException(setting + " must hold " + AesGcmSecretSealer.KEY_BYTES + " bytes, not "
                    + key.length + " (generate one: openssl rand -base64 32)");
        }
        return key;
    }

    private static byte[] loadOrGenerate(Path file) {
        if (Files.exists(file)) {
            return read(file);
        }
        byte[] key = new byte[AesGcmSecretSealer.KEY_BYTES];
        new SecureRandom().nextBytes(key);
        try {
            SecretFiles.writeOwnerOnly(file, Base64.getEncoder().encodeToString(key));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the master key file " + file, e);
        }
        log.info("Generated a master key and wrote it to {} (mode 600); keep a copy: without it, S3 secrets cannot be read",
                file.toAbsolutePath());
        return key;
    }

    private static byte[] read(Path file) {
        try {
            return decode(Files.readString(file, StandardCharsets.US_ASCII).strip(), "The master key file " + file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the master key file " + file, e);
        }
    }
}
