package io.granary.image;

import com.luciad.imageio.webp.WebPWriteParam;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Iterator;
import java.util.Locale;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.plugins.jpeg.JPEGImageWriteParam;
import javax.imageio.stream.MemoryCacheImageOutputStream;

/**
 * Encodes a rendition's pixels, with no metadata: JPEG with the JDK's writer (optimised Huffman
 * tables, JFIF header only), PNG with the JDK's, lossy WebP with libwebp through webp-imageio.
 * The bytes are collected in memory up to {@code maxBytes}; past that the encoding is abandoned.
 */
final class Encoder {

    private Encoder() {
    }

    static byte[] encode(BufferedImage image, ImageFormat format, int quality, long maxBytes) throws IOException {
        ImageWriter writer = writer(format);
        Bounded out = new Bounded(maxBytes);
        try (MemoryCacheImageOutputStream stream = new MemoryCacheImageOutputStream(out)) {
            writer.setOutput(stream);
            writer.write(null, new IIOImage(image, null, null), param(writer, format, quality));
        } catch (IOException | RuntimeException failed) {
            if (out.exceeded) {
                throw ImageErrors.tooLarge("The rendition would exceed " + maxBytes + " bytes; ask for a smaller size.");
            }
            throw failed;
        } finally {
            writer.dispose();
        }
        return out.toByteArray();
    }

    private static ImageWriteParam param(ImageWriter writer, ImageFormat format, int quality) {
        switch (format) {
            case JPEG -> {
                JPEGImageWriteParam param = new JPEGImageWriteParam(Locale.ROOT);
                param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
                param.setCompressionQuality(quality / 100f);
                param.setOptimizeHuffmanTables(true);
                return param;
            }
            case WEBP -> {
                WebPWriteParam param = new WebPWriteParam(Locale.ROOT);
                param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
                param.setCompressionType(param.getCompressionTypes()[WebPWriteParam.LOSSY_COMPRESSION]);
                param.setCompressionQuality(quality / 100f);
                return param;
            }
            default -> {
                return writer.getDefaultWriteParam();
            }
        }
    }

    private static ImageWriter writer(ImageFormat format) {
        String preferred = format == ImageFormat.WEBP ? "com.luciad." : "com.sun.imageio.";
        for (Iterator<ImageWriter> writers = ImageIO.getImageWritersByFormatName(format.wireName()); writers.hasNext(); ) {
            ImageWriter candidate = writers.next();
            if (candidate.getClass().getName().startsWith(preferred)) {
                return candidate;
            }
        }
        throw ImageErrors.unsupported("No encoder for " + format.wireName() + " is installed.");
    }

    /** A byte sink that refuses to grow past a bound. */
    private static final class Bounded extends ByteArrayOutputStream {
        private final long max;
        private boolean exceeded;

        Bounded(long max) {
            super(64 * 1024);
            this.max = max;
        }

        @Override
        public void write(int b) {
            check(1);
            super.write(b);
        }

        @Override
        public void write(byte[] b, int off, int len) {
            check(len);
            super.write(b, off, len);
        }

        private void check(int more) {
            if (count + (long) more > max) {
                exceeded = true;
                throw new IllegalStateException("rendition larger than " + max + " bytes");
            }
        }
    }
}
