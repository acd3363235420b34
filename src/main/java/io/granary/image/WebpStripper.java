package io.granary.image;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.util.Set;

/**
 * Copies a WebP without its {@code EXIF} and {@code XMP } chunks (and any unknown chunk), clearing
 * their flags in {@code VP8X} and fixing the RIFF size; the coded image chunks are copied as they are.
 */
final class WebpStripper {

    private static final Set<String> KEPT = Set.of("VP8 ", "VP8L", "VP8X", "ALPH", "ANIM", "ANMF", "ICCP");
    private static final int EXIF_AND_XMP_FLAGS = 0x08 | 0x04;

    private WebpStripper() {
    }

    static void strip(FileChannel in, FileChannel out) throws IOException {
        ByteBuffer header = read(in, 12);
        long riffEnd = Math.min(in.size(), 8 + (header.getInt(4) & 0xFFFFFFFFL));
        out.write(ByteBuffer.wrap(new byte[] {'R', 'I', 'F', 'F', 0, 0, 0, 0, 'W', 'E', 'B', 'P'}));
        long written = 4;
        while (in.position() + 8 <= riffEnd) {
            ByteBuffer chunk = read(in, 8);
            String name = new String(chunk.array(), 0, 4, StandardCharsets.ISO_8859_1);
            long size = chunk.getInt(4) & 0xFFFFFFFFL;
            long padded = size + (size & 1);
            if (in.position() + size > in.size()) {
                throw ImageErrors.corrupt("the WebP ends inside its " + name.trim() + " chunk");
            }
            if (!KEPT.contains(name)) {
                in.position(Math.min(in.size(), in.position() + padded));
                continue;
            }
            out.write(chunk.rewind());
            if (name.equals("VP8X") && size >= 1) {
                ByteBuffer flags = read(in, 1);
                flags.put(0, (byte) (flags.get(0) & ~EXIF_AND_XMP_FLAGS));
                out.write(flags.rewind());
                transfer(in, out, size - 1);
            } else {
                transfer(in, out, size);
            }
            if (padded != size) {
                // The pad byte after an odd-sized chunk; written as zero, also when a writer left it out at the end.
                out.write(ByteBuffer.wrap(new byte[1]));
                in.position(Math.min(in.size(), in.position() + 1));
            }
            written += 8 + padded;
        }
        if (written == 4) {
            throw ImageErrors.corrupt("the WebP has no image chunk");
        }
        ByteBuffer size = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(0, (int) written);
        out.write(size, 4);
    }

    private static void transfer(FileChannel in, FileChannel out, long count) throws IOException {
        long done = 0;
        while (done < count) {
            long n = in.transferTo(in.position(), count - done, out);
            if (n <= 0) {
                throw ImageErrors.corrupt("the WebP ends inside a chunk");
            }
            in.position(in.position() + n);
            done += n;
        }
    }

    private static ByteBuffer read(FileChannel in, int count) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(count).order(ByteOrder.LITTLE_ENDIAN);
        while (buffer.hasRemaining()) {
            if (in.read(buffer) < 0) {
                throw ImageErrors.corrupt("the WebP ends inside a chunk header");
            }
        }
        return buffer.flip();
    }
}
