package io.granary.checksum;

/**
 * The CRC of two byte strings one after the other, from their two CRCs and the second's length,
 * without the bytes. The fact used is the one behind zlib's {@code crc32_combine}: for a
 * reflected CRC whose initial value equals its final XOR (all ones, for CRC-32, CRC-32C and
 * CRC-64/NVME alike), {@code crc(A B) = crc(A) * x^(8 |B|) mod P  xor  crc(B)}, the product
 * taken in GF(2)[x] modulo the CRC's polynomial P. {@code x^(8 |B|)} is built from the powers
 * {@code x^(2^k) mod P} by square-and-multiply, so a combine costs a few hundred shifts
 * whatever the lengths. Written here from that fact: the SDK's own combine code is internal.
 *
 * <p>Polynomials are held reflected, as these CRCs compute: the highest bit of the
 * {@code width}-bit word is the coefficient of {@code x^0}, the lowest that of {@code x^(width-1)}.
 */
final class CrcCombine {

    static final CrcCombine CRC32 = new CrcCombine(32, 0xEDB88320L);
    static final CrcCombine CRC32C = new CrcCombine(32, 0x82F63B78L);
    /** CRC-64/NVME: polynomial 0xAD93D23594C93659, here reflected. */
    static final CrcCombine CRC64NVME = new CrcCombine(64, 0x9A6C9329AC4BC9B5L);

    private final long one;
    private final long polynomial;
    /** {@code x^(2^k) mod P}, for every k a byte count's bits can reach. */
    private final long[] powers = new long[64];

    private CrcCombine(int width, long reflectedPolynomial) {
        this.one = 1L << (width - 1);
        this.polynomial = reflectedPolynomial;
        powers[0] = one >>> 1;
        for (int k = 1; k < powers.length; k++) {
            powers[k] = times(powers[k - 1], powers[k - 1]);
        }
    }

    /** The CRC of {@code A B} from {@code crc(A)}, {@code crc(B)} and B's length in bytes. */
    long combine(long first, long second, long secondLength) {
        if (secondLength < 0) {
            throw new IllegalArgumentException("negative length " + secondLength);
        }
        return times(power(secondLength), first) ^ second;
    }

    /** {@code x^(8 n) mod P}. */
    private long power(long n) {
        long product = one;
        // 8 n = n * 2^3: start at x^(2^3) and take the powers of n's set bits.
        for (int k = 3; n != 0; n >>>= 1, k++) {
            if ((n & 1) != 0) {
                product = times(powers[k], product);
            }
        }
        return product;
    }

    /** {@code a * b mod P}. */
    private long times(long a, long b) {
        long product = 0;
        for (long bit = one; bit != 0 && a != 0; bit >>>= 1) {
            if ((a & bit) != 0) {
                product ^= b;
                a ^= bit;
            }
            // b * x mod P: one step towards higher powers is one shift right, reduced by P.
            b = (b & 1) != 0 ? (b >>> 1) ^ polynomial : b >>> 1;
        }
        return product;
    }
}
