package io.granary.image;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Set;

/**
 * Copies a PNG without its metadata: chunk by chunk, each kept one verbatim (CRC included), so
 * the pixels are untouched. Kept: what decoding and colour need, and APNG's animation chunks.
 * Dropped: text ({@code tEXt}, {@code zTXt}, {@code iTXt}, where XMP lives), {@code eXIf},
 * {@code tIME}, every private or unknown chunk, and anything after {@code IEND}.
 */
final class PngStripper {

    static final byte[] SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};
    private static final Set<String> KEPT = Set.of("IHDR", "PLTE", "IDAT", "IEND", "tRNS", "cHRM", "gAMA", "iCCP",
            "sBIT", "sRGB", "cICP", "mDCv", "cLLi", "bKGD", "pHYs", "acTL", "fcTL", "fdAT");

    private PngStripper() {
    }

    static void strip(InputStream source, OutputStream target) throws IOException {
        DataInputStream in = new DataInputStream(source);
        try {
            byte[] signature = new byte[SIGNATURE.length];
            in.readFully(signature);
            if (!java.util.Arrays.equals(signature, SIGNATURE)) {
                throw ImageErrors.corrupt("no PNG signature");
            }
            target.write(SIGNATURE);
            byte[] buffer = new byte[8192];
            while (true) {
                int length = in.readInt();
                byte[] type = new byte[4];
                in.readFully(type);
                String name = new String(type, StandardCharsets.ISO_8859_1);
                if (length < 0) {
                    throw ImageErrors.corrupt("a PNG chunk has a length beyond 2^31");
                }
                boolean keep = KEPT.contains(name);
                if (keep) {
                    target.write(new byte[] {(byte) (length >>> 24), (byte) (length >>> 16), (byte) (length >>> 8), (byte) length});
                    target.write(type);
                }
                long left = length + 4L; // the data and its CRC
                while (left > 0) {
                    int n = in.read(buffer, 0, (int) Math.min(buffer.length, left));
                    if (n < 0) {
                        throw new EOFException();
                    }
                    if (keep) {
                        target.write(buffer, 0, n);
                    }
                    left -= n;
                }
                if (name.equals("IEND")) {
                    return;
                }
            }
        } catch (EOFException truncated) {
            throw ImageErrors.corrupt("the PNG ends before its IEND chunk");
        }
    }
}
