package io.granary.image;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import java.util.zip.CRC32;
import javax.imageio.ImageIO;

/** Builds test images and the metadata blocks they carry, byte by byte where ImageIO cannot. */
final class TestImages {

    static final String SECRET = "secret-location-52.37N";

    private TestImages() {
    }

    /** An image whose four quadrants are red, green, blue and yellow (top-left, top-right, bottom-left, bottom-right). */
    static BufferedImage quadrants(int width, int height, int type) {
        BufferedImage image = new BufferedImage(width, height, type);
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                boolean right = x >= width / 2;
                boolean bottom = y >= height / 2;
                image.setRGB(x, y, !bottom ? (!right ? 0xFFFF0000 : 0xFF00FF00) : (!right ? 0xFF0000FF : 0xFFFFFF00));
            }
        }
        return image;
    }

    /** A photo-like image: smooth gradients with noise, so encoders and scalers work as on real photos. */
    static BufferedImage photo(int width, int height, long seed) {
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Random random = new Random(seed);
        int[] row = new int[width];
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                int n = random.nextInt(24) - 12;
                int r = clamp(x * 255 / width + n);
                int g = clamp(y * 255 / height + n);
                int b = clamp(128 + (int) (60 * Math.sin((x + y) / 40.0)) + n);
                row[x] = r << 16 | g << 8 | b;
            }
            image.setRGB(0, y, width, 1, row, 0, width);
        }
        return image;
    }

    static byte[] encode(BufferedImage image, String format) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        if (!ImageIO.write(image, format, out)) {
            throw new IOException("no writer for " + format);
        }
        return out.toByteArray();
    }

    /** Inserts whole segments (marker, length and payload each) right after a JPEG's SOI. */
    static byte[] withSegments(byte[] jpeg, byte[]... segments) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(jpeg, 0, 2);
        for (byte[] segment : segments) {
            out.writeBytes(segment);
        }
        out.write(jpeg, 2, jpeg.length - 2);
        return out.toByteArray();
    }

    static byte[] segment(int marker, byte[] payload) {
        int length = payload.length + 2;
        ByteBuffer buffer = ByteBuffer.allocate(payload.length + 4);
        buffer.put((byte) 0xFF).put((byte) marker).putShort((short) length).put(payload);
        return buffer.array();
    }

    /**
     * An EXIF APP1 segment: IFD0 with an ImageDescription holding {@link #SECRET}, the orientation
     * and a pointer to a GPS IFD (latitude 52 deg 22' 12" N).
     */
    static byte[] exif(int orientation) {
        ByteBuffer tiff = ByteBuffer.allocate(128); // big-endian, offsets from the TIFF header
        byte[] description = (SECRET + "\0").getBytes(StandardCharsets.US_ASCII);
        int ifd0 = 8;
        int gpsIfd = ifd0 + 2 + 3 * 12 + 4;
        int rationals = gpsIfd + 2 + 2 * 12 + 4;
        int text = rationals + 24;
        tiff.put(new byte[] {'M', 'M', 0, 42}).putInt(ifd0);
        tiff.putShort((short) 3);
        tiff.putShort((short) 0x010E).putShort((short) 2).putInt(description.length).putInt(text);
        tiff.putShort((short) 0x0112).putShort((short) 3).putInt(1).putShort((short) orientation).putShort((short) 0);
        tiff.putShort((short) 0x8825).putShort((short) 4).putInt(1).putInt(gpsIfd);
        tiff.putInt(0);
        tiff.putShort((short) 2);
        tiff.putShort((short) 1).putShort((short) 2).putInt(2).put(new byte[] {'N', 0, 0, 0});
        tiff.putShort((short) 2).putShort((short) 5).putInt(3).putInt(rationals);
        tiff.putInt(0);
        tiff.putInt(52).putInt(1).putInt(22).putInt(1).putInt(12).putInt(1);
        tiff.put(description);
        ByteArrayOutputStream payload = new ByteArrayOutputStream();
        payload.writeBytes("Exif\0\0".getBytes(StandardCharsets.US_ASCII));
        payload.write(tiff.array(), 0, tiff.position());
        return segment(0xE1, payload.toByteArray());
    }

    static byte[] xmp() {
        return segment(0xE1, ("http://ns.adobe.com/xap/1.0/\0<x:xmpmeta xmlns:x='adobe:ns:meta/'>secret-xmp</x:xmpmeta>")
                .getBytes(StandardCharsets.US_ASCII));
    }

    static byte[] comment() {
        return segment(0xFE, "secret-comment".getBytes(StandardCharsets.US_ASCII));
    }

    /** A PNG chunk with its CRC. */
    static byte[] chunk(String type, byte[] data) {
        ByteBuffer buffer = ByteBuffer.allocate(12 + data.length);
        byte[] name = type.getBytes(StandardCharsets.US_ASCII);
        buffer.putInt(data.length).put(name).put(data);
        CRC32 crc = new CRC32();
        crc.update(name);
        crc.update(data);
        buffer.putInt((int) crc.getValue());
        return buffer.array();
    }

    /** Inserts chunks right after a PNG's IHDR (8 bytes of signature, 25 of IHDR). */
    static byte[] withChunks(byte[] png, byte[]... chunks) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(png, 0, 33);
        for (byte[] chunk : chunks) {
            out.writeBytes(chunk);
        }
        out.write(png, 33, png.length - 33);
        return out.toByteArray();
    }

    /** A PNG that is only a signature and an IHDR claiming {@code width} x {@code height} RGBA pixels: a decompression bomb's header. */
    static byte[] pngHeaderOnly(int width, int height) {
        ByteBuffer ihdr = ByteBuffer.allocate(13).putInt(width).putInt(height).put((byte) 8).put((byte) 6)
                .put((byte) 0).put((byte) 0).put((byte) 0);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(PngStripper.SIGNATURE);
        out.writeBytes(chunk("IHDR", ihdr.array()));
        out.writeBytes(chunk("IDAT", new byte[] {0x78, (byte) 0x9C, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01}));
        out.writeBytes(chunk("IEND", new byte[0]));
        return out.toByteArray();
    }

    /** Whether {@code bytes} contain {@code text} (as ASCII). */
    static boolean contains(byte[] bytes, String text) {
        return new String(bytes, StandardCharsets.ISO_8859_1).contains(text);
    }

    static int distance(int rgb, int expected) {
        int d = 0;
        for (int shift = 0; shift <= 16; shift += 8) {
            d = Math.max(d, Math.abs((rgb >> shift & 0xFF) - (expected >> shift & 0xFF)));
        }
        return d;
    }

    private static int clamp(int v) {
        return Math.max(0, Math.min(255, v));
    }
}
