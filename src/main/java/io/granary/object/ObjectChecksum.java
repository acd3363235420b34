package io.granary.object;

/**
 * A checksum of a whole object that its writer sent and Granary verified against the bytes
 * (S3's {@code x-amz-checksum-*}, type {@code FULL_OBJECT}), kept so a reader can check what it
 * got against what was sent.
 *
 * @param algorithm {@code CRC32}, {@code CRC32C}, {@code CRC64NVME}, {@code SHA1} or {@code SHA256}
 * @param value the checksum in base64, as S3 writes it
 */
public record ObjectChecksum(String algorithm, String value) {
}
