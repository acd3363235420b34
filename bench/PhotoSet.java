import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.MemoryCacheImageOutputStream;

/**
 * Photo-like JPEGs for bench/images.sh, with only a JDK: {@code java bench/PhotoSet.java <dir>
 * <count> <width> <height> <quality 1-100>} writes {@code p01.jpg}, {@code p02.jpg}, ... into dir.
 *
 * <p>Pure noise would compress far worse than a photo and smooth gradients far better, and the
 * cost of decoding a JPEG grows with its entropy-coded bytes. So each image is value noise in
 * several octaves (large soft shapes, mid-size texture, fine grain) in three slowly varying
 * colours, plus a little per-pixel sensor noise: at 12 MP and quality 92 that gives files of a
 * few MB, the size a phone writes. Each is encoded with the JDK's writer (4:2:0 chroma, as
 * cameras do) and gets an EXIF APP1 segment in front: camera make and model, orientation 1 (so
 * every renderer produces the same geometry), resolution, dates, pixel dimensions and a GPS
 * position, the metadata a rendition must strip. Seeds are fixed: the same arguments give the
 * same files.
 */
public class PhotoSet {

    public static void main(String[] args) throws Exception {
        if (args.length != 5) {
            System.err.println("usage: java bench/PhotoSet.java <dir> <count> <width> <height> <quality>");
            System.exit(2);
        }
        Path dir = Files.createDirectories(Path.of(args[0]));
        int count = Integer.parseInt(args[1]);
        int width = Integer.parseInt(args[2]);
        int height = Integer.parseInt(args[3]);
        float quality = Integer.parseInt(args[4]) / 100f;
        // The common pool has one thread fewer than the processors; the caller is the other.
        IntStream.rangeClosed(1, count).parallel().forEach(i -> {
            try {
                Path file = dir.resolve(String.format(Locale.ROOT, "p%02d.jpg", i));
                byte[] jpeg = encode(paint(width, height, i), quality);
                Files.write(file, withExif(jpeg, width, height, i));
            } catch (IOException e) {
                throw new RuntimeException(e);
            }
        });
    }

    /** Lattice values of one octave: a random value every {@code scale} pixels, interpolated between. */
    private record Octave(int scale, int columns, float[] values, float amplitude) {
        static Octave of(SplittableRandom random, int width, int height, int scale, float amplitude) {
            int columns = width / scale + 2;
            int rows = height / scale + 2;
            float[] values = new float[columns * rows];
            for (int k = 0; k < values.length; k++) {
                values[k] = (float) random.nextDouble(-1, 1);
            }
            return new Octave(scale, columns, values, amplitude);
        }

        float at(int x, int y) {
            int cx = x / scale;
            int cy = y / scale;
            float fx = smooth((x - cx * scale) / (float) scale);
            float fy = smooth((y - cy * scale) / (float) scale);
            int k = cy * columns + cx;
            float top = values[k] + (values[k + 1] - values[k]) * fx;
            float bottom = values[k + columns] + (values[k + columns + 1] - values[k + columns]) * fx;
            return amplitude * (top + (bottom - top) * fy);
        }

        private static float smooth(float t) {
            return t * t * (3 - 2 * t);
        }
    }

    private static BufferedImage paint(int width, int height, int seed) {
        SplittableRandom random = new SplittableRandom(0x9e3779b97f4a7c15L * seed);
        Octave[] luma = {
            Octave.of(random, width, height, 600, 70), Octave.of(random, width, height, 150, 35),
            Octave.of(random, width, height, 40, 18), Octave.of(random, width, height, 9, 14),
            Octave.of(random, width, height, 3, 7)};
        Octave[] tint = {
            Octave.of(random, width, height, 900, 45), Octave.of(random, width, height, 900, 45),
            Octave.of(random, width, height, 900, 45)};
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_3BYTE_BGR);
        byte[] pixels = ((DataBufferByte) image.getRaster().getDataBuffer()).getData();
        IntStream.range(0, height).parallel().forEach(y -> {
            SplittableRandom grain = new SplittableRandom(seed * 1_000_003L + y);
            int p = y * width * 3;
            for (int x = 0; x < width; x++) {
                float l = 128;
                for (Octave octave : luma) {
                    l += octave.at(x, y);
                }
                // Sensor noise: a triangular distribution, cheaper than a Gaussian and as good here.
                l += (grain.nextInt(7) + grain.nextInt(7) - 6) * 1.2f;
                pixels[p++] = clamp(l + tint[2].at(x, y)); // blue
                pixels[p++] = clamp(l + tint[1].at(x, y)); // green
                pixels[p++] = clamp(l + tint[0].at(x, y)); // red
            }
        });
        return image;
    }

    private static byte clamp(float v) {
        return (byte) Math.max(0, Math.min(255, Math.round(v)));
    }

    private static byte[] encode(BufferedImage image, float quality) throws IOException {
        ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
        ImageWriteParam param = writer.getDefaultWriteParam();
        param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
        param.setCompressionQuality(quality);
        ByteArrayOutputStream out = new ByteArrayOutputStream(8 << 20);
        try (MemoryCacheImageOutputStream stream = new MemoryCacheImageOutputStream(out)) {
            writer.setOutput(stream);
            writer.write(null, new IIOImage(image, null, null), param);
        } finally {
            writer.dispose();
        }
        return out.toByteArray();
    }

    // ---- EXIF: a big-endian TIFF structure in an APP1 segment -----------------------------------

    private static final int BYTE = 1, ASCII = 2, SHORT = 3, LONG = 4, RATIONAL = 5;

    private record Entry(int tag, int type, int count, byte[] value) {
        static Entry ascii(int tag, String text) {
            byte[] bytes = (text + "\0").getBytes(StandardCharsets.US_ASCII);
            return new Entry(tag, ASCII, bytes.length, bytes);
        }

        static Entry shortValue(int tag, int value) {
            return new Entry(tag, SHORT, 1, new byte[] {(byte) (value >> 8), (byte) value});
        }

        static Entry longValue(int tag, long value) {
            return new Entry(tag, LONG, 1, ByteBuffer.allocate(4).putInt((int) value).array());
        }

        static Entry rationals(int tag, long... numeratorsAndDenominators) {
            ByteBuffer buffer = ByteBuffer.allocate(4 * numeratorsAndDenominators.length);
            for (long v : numeratorsAndDenominators) {
                buffer.putInt((int) v);
            }
            return new Entry(tag, RATIONAL, numeratorsAndDenominators.length / 2, buffer.array());
        }

        /** Bytes this entry needs outside its 12-byte slot (values over 4 bytes, kept at even offsets). */
        int outside() {
            return value.length <= 4 ? 0 : value.length + (value.length & 1);
        }
    }

    private static int size(List<Entry> ifd) {
        return 2 + 12 * ifd.size() + 4 + ifd.stream().mapToInt(Entry::outside).sum();
    }

    /** One IFD (entries in tag order) that starts at {@code offset} from the TIFF header, its values after it. */
    private static void writeIfd(ByteBuffer tiff, List<Entry> ifd, int offset) {
        int data = offset + 2 + 12 * ifd.size() + 4;
        tiff.position(offset);
        tiff.putShort((short) ifd.size());
        for (Entry entry : ifd) {
            tiff.putShort((short) entry.tag()).putShort((short) entry.type()).putInt(entry.count());
            if (entry.value().length <= 4) {
                tiff.put(entry.value()).put(new byte[4 - entry.value().length]);
            } else {
                tiff.putInt(data);
                tiff.put(data, entry.value());
                data += entry.outside();
            }
        }
        tiff.putInt(0); // no next IFD
    }

    private static byte[] withExif(byte[] jpeg, int width, int height, int seed) {
        String date = String.format(Locale.ROOT, "2026:06:%02d 12:%02d:00", 1 + seed % 28, seed % 60);
        List<Entry> exif = List.of(
                Entry.ascii(0x9003, date), // DateTimeOriginal
                Entry.longValue(0xA002, width), Entry.longValue(0xA003, height)); // PixelX/YDimension
        List<Entry> gps = List.of(
                new Entry(0x0000, BYTE, 4, new byte[] {2, 3, 0, 0}), // GPSVersionID
                Entry.ascii(0x0001, "N"), Entry.rationals(0x0002, 48, 1, 51, 1, 2400 + seed, 100),
                Entry.ascii(0x0003, "E"), Entry.rationals(0x0004, 2, 1, 21, 1, 700 + seed, 100));
        List<Entry> ifd0 = new ArrayList<>(List.of(
                Entry.ascii(0x010F, "Granary Bench"), Entry.ascii(0x0110, "Synthetic 12MP"),
                Entry.shortValue(0x0112, 1), // Orientation: as stored
                Entry.rationals(0x011A, 72, 1), Entry.rationals(0x011B, 72, 1), Entry.shortValue(0x0128, 2),
                Entry.ascii(0x0132, date)));
        int exifOffset = 8 + size(ifd0) + 2 * 12; // the two pointers below are still to be added
        int gpsOffset = exifOffset + size(exif);
        ifd0.add(Entry.longValue(0x8769, exifOffset));
        ifd0.add(Entry.longValue(0x8825, gpsOffset));

        ByteBuffer tiff = ByteBuffer.allocate(gpsOffset + size(gps));
        tiff.put(new byte[] {'M', 'M', 0, 42, 0, 0, 0, 8});
        writeIfd(tiff, ifd0, 8);
        writeIfd(tiff, exif, exifOffset);
        writeIfd(tiff, gps, gpsOffset);

        byte[] header = "Exif\0\0".getBytes(StandardCharsets.US_ASCII);
        int segment = 2 + header.length + tiff.capacity();
        ByteBuffer out = ByteBuffer.allocate(jpeg.length + 2 + segment);
        out.put((byte) 0xFF).put((byte) 0xD8); // SOI, then APP1 (EXIF) first, as cameras write it
        out.put((byte) 0xFF).put((byte) 0xE1).putShort((short) segment).put(header).put(tiff.array());
        out.put(jpeg, 2, jpeg.length - 2); // the writer's JFIF APP0 and the image
        return out.array();
    }
}
