package io.granary.checksum;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Random;
import java.util.zip.CRC32;
import java.util.zip.CRC32C;
import java.util.zip.Checksum;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.crt.checksums.CRC64NVME;

/**
 * Composite and full-object checksums against independent implementations: the JDK's CRC32 and
 * CRC32C and MessageDigest, the CRT's CRC64NVME, run over the whole data.
 */
class MultipartChecksumsTest {

    private static final Random RANDOM = new Random(15);

    @Test
    void fullObjectCrcsCombineToTheCrcOfTheWhole() {
        for (int[] cut : new int[][] {{1}, {7, 0}, {5, 3, 1}, {1000, 1000, 17}, {0, 9}, {65536, 65536, 40000}}) {
            byte[] data = new byte[Arrays.stream(cut).sum()];
            RANDOM.nextBytes(data);
            assertThat(full(ChecksumAlgorithm.CRC32, data, cut)).isEqualTo(crc(new CRC32(), data, 4));
            assertThat(full(ChecksumAlgorithm.CRC32C, data, cut)).isEqualTo(crc(new CRC32C(), data, 4));
            assertThat(full(ChecksumAlgorithm.CRC64NVME, data, cut)).isEqualTo(crc(new CRC64NVME(), data, 8));
        }
    }

    @Test
    void combinesLongPartsWithoutTheirBytes() {
        // A part of 5 GiB, then one of 3 bytes: the second's CRC and length are all the combine needs.
        CRC32 whole = new CRC32();
        byte[] chunk = new byte[1 << 20];
        for (int i = 0; i < 5 * 1024; i++) {
            whole.update(chunk);
        }
        long first = whole.getValue();
        byte[] tail = {1, 2, 3};
        whole.update(tail);
        assertThat(CrcCombine.CRC32.combine(first, crc32(tail), 3)).isEqualTo(whole.getValue());
    }

    @Test
    void compositeIsTheChecksumOfThePartChecksums() throws Exception {
        byte[] one = bytes(100);
        byte[] two = bytes(33);
        String composite = MultipartChecksums.composite(ChecksumAlgorithm.SHA256, List.of(sha256(one), sha256(two)));
        MessageDigest ofParts = MessageDigest.getInstance("SHA-256");
        ofParts.update(Base64.getDecoder().decode(sha256(one)));
        ofParts.update(Base64.getDecoder().decode(sha256(two)));
        assertThat(composite).isEqualTo(Base64.getEncoder().encodeToString(ofParts.digest()) + "-2");

        byte[] partCrcs = ByteBuffer.allocate(8).putInt((int) crc32(one)).putInt((int) crc32(two)).array();
        assertThat(MultipartChecksums.composite(ChecksumAlgorithm.CRC32, List.of(crc(new CRC32(), one, 4), crc(new CRC32(), two, 4))))
                .isEqualTo(crc(new CRC32(), partCrcs, 4) + "-2");
    }

    @Test
    void digestsDoNotCombine() {
        assertThatThrownBy(() -> MultipartChecksums.fullObject(ChecksumAlgorithm.SHA1, List.of("AAAA"), List.of(3L)))
                .isInstanceOf(IllegalArgumentException.class);
    }

    private static String full(ChecksumAlgorithm algorithm, byte[] data, int[] cut) {
        List<String> parts = new ArrayList<>();
        List<Long> sizes = new ArrayList<>();
        int offset = 0;
        for (int size : cut) {
            RunningChecksum part = algorithm.start();
            part.update(Arrays.copyOfRange(data, offset, offset + size));
            parts.add(part.base64());
            sizes.add((long) size);
            offset += size;
        }
        return MultipartChecksums.fullObject(algorithm, parts, sizes);
    }

    private static String crc(Checksum checksum, byte[] data, int width) {
        checksum.update(data, 0, data.length);
        ByteBuffer bytes = ByteBuffer.allocate(width);
        if (width == 8) {
            bytes.putLong(checksum.getValue());
        } else {
            bytes.putInt((int) checksum.getValue());
        }
        return Base64.getEncoder().encodeToString(bytes.array());
    }

    private static long crc32(byte[] data) {
        CRC32 crc = new CRC32();
        crc.update(data);
        return crc.getValue();
    }

    private static String sha256(byte[] data) throws Exception {
        return Base64.getEncoder().encodeToString(MessageDigest.getInstance("SHA-256").digest(data));
    }

    private static byte[] bytes(int n) {
        byte[] data = new byte[n];
        RANDOM.nextBytes(data);
        return data;
    }
}
