package io.granary.checksum;

/**
 * A checksum of some bytes: its algorithm and its value in base64 (a CRC's bytes big-endian, a
 * digest's as it is), as S3 writes it.
 */
public record Checksum(ChecksumAlgorithm algorithm, String value) {
}
