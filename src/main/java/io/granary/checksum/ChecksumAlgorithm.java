package io.granary.checksum;

import io.granary.error.ErrorCode;
import io.granary.error.GranaryException;
import java.util.Locale;
import java.util.Optional;
import software.amazon.awssdk.checksums.DefaultChecksumAlgorithm;
import software.amazon.awssdk.checksums.SdkChecksum;

/**
 * The checksum algorithms an object or a part may be checked with (S3's flexible checksums),
 * computed with the AWS SDK's own implementations; CRC64NVME's is in the AWS CRT.
 */
public enum ChecksumAlgorithm {
    CRC32(DefaultChecksumAlgorithm.CRC32, true),
    CRC32C(DefaultChecksumAlgorithm.CRC32C, true),
    CRC64NVME(DefaultChecksumAlgorithm.CRC64NVME, true),
    SHA1(DefaultChecksumAlgorithm.SHA1, false),
    SHA256(DefaultChecksumAlgorithm.SHA256, false);

    private final software.amazon.awssdk.checksums.spi.ChecksumAlgorithm sdk;
    private final boolean crc;

    ChecksumAlgorithm(software.amazon.awssdk.checksums.spi.ChecksumAlgorithm sdk, boolean crc) {
        this.sdk = sdk;
        this.crc = crc;
    }

    /** The algorithm of this name in any case ({@code crc32c}, {@code SHA256}), if there is one. */
    public static Optional<ChecksumAlgorithm> named(String name) {
        if (name == null) {
            return Optional.empty();
        }
        String wanted = name.strip().toUpperCase(Locale.ROOT);
        for (ChecksumAlgorithm algorithm : values()) {
            if (algorithm.name().equals(wanted)) {
                return Optional.of(algorithm);
            }
        }
        return Optional.empty();
    }

    /**
     * Whether this is a cyclic redundancy check: those (and only those) give a whole object's
     * checksum from its parts' checksums and sizes ({@link MultipartChecksums#fullObject}).
     */
    public boolean crc() {
        return crc;
    }

    /** A new running checksum of this algorithm; {@code 501 not_implemented} where the CRT cannot load. */
    public RunningChecksum start() {
        try {
            return new RunningChecksum(this, SdkChecksum.forAlgorithm(sdk));
        } catch (RuntimeException | LinkageError e) {
            // CRC64NVME needs the AWS CRT's native library, which may not load on every platform.
            throw new GranaryException(ErrorCode.NOT_IMPLEMENTED, "The checksum algorithm " + name() + " is not available here.");
        }
    }
}
