package io.granary.image;

import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.ComponentColorModel;
import java.awt.image.ComponentSampleModel;
import java.awt.image.DataBuffer;
import java.awt.image.DataBufferByte;
import java.awt.image.DataBufferInt;
import java.awt.image.DataBufferUShort;
import java.awt.image.Raster;

/**
 * Reads a decoded image row by row as sRGB ARGB ints (alpha not premultiplied), whatever its
 * layout: 8- and 16-bit grey, grey with alpha, RGB and RGBA straight from the data arrays, any
 * other layout (palettes, packed pixels) through {@link BufferedImage#getRGB}.
 *
 * <p>Grey samples are taken as they are: decoders hand out gamma-encoded grey in Java's
 * <em>linear</em> grey colour space, and converting it as such would brighten every grey photo.
 */
abstract class RowSource {

    final int width;
    final int height;
    final boolean alpha;

    RowSource(BufferedImage image) {
        this(image.getWidth(), image.getHeight(), image.getColorModel().hasAlpha());
    }

    RowSource(int width, int height, boolean alpha) {
        this.width = width;
        this.height = height;
        this.alpha = alpha;
    }

    /** Fills {@code argb[0..width)} with row {@code y}. */
    abstract void read(int y, int[] argb);

    static RowSource of(BufferedImage image) {
        int type = image.getType();
        if ((type == BufferedImage.TYPE_INT_RGB || type == BufferedImage.TYPE_INT_ARGB)
                && image.getRaster().getDataBuffer() instanceof DataBufferInt) {
            return new Packed(image);
        }
        ColorModel model = image.getColorModel();
        Raster raster = image.getRaster();
        if (model instanceof ComponentColorModel && !model.isAlphaPremultiplied()
                && raster.getSampleModel() instanceof ComponentSampleModel
                && (raster.getDataBuffer() instanceof DataBufferByte || raster.getDataBuffer() instanceof DataBufferUShort)
                && raster.getDataBuffer().getNumBanks() == 1) {
            ColorSpace space = model.getColorSpace();
            int colours = model.getNumColorComponents();
            if (colours == 1 && space.getType() == ColorSpace.TYPE_GRAY || colours == 3 && space.isCS_sRGB()) {
                return new Components(image);
            }
        }
        return new Converted(image);
    }

    /** {@code TYPE_INT_RGB} and {@code TYPE_INT_ARGB}: a copy of the row. */
    private static final class Packed extends RowSource {
        private final int[] data;
        private final int scanline;
        private final int offset;
        private final boolean opaque;

        Packed(BufferedImage image) {
            super(image);
            Raster raster = image.getRaster();
            this.data = ((DataBufferInt) raster.getDataBuffer()).getData();
            this.scanline = ((java.awt.image.SinglePixelPackedSampleModel) raster.getSampleModel()).getScanlineStride();
            this.offset = raster.getDataBuffer().getOffset()
                    - raster.getSampleModelTranslateY() * scanline - raster.getSampleModelTranslateX();
            this.opaque = image.getType() == BufferedImage.TYPE_INT_RGB;
        }

        @Override
        void read(int y, int[] argb) {
            System.arraycopy(data, offset + y * scanline, argb, 0, width);
            if (opaque) {
                for (int x = 0; x < width; x++) {
                    argb[x] |= 0xFF000000;
                }
            }
        }
    }

    /** Interleaved 8- or 16-bit grey, grey + alpha, RGB or RGBA samples in one array. */
    private static final class Components extends RowSource {
        private final byte[] bytes;
        private final short[] shorts;
        private final int pixelStride;
        private final int scanline;
        private final int[] bands;
        private final int base;

        Components(BufferedImage image) {
            super(image);
            Raster raster = image.getRaster();
            ComponentSampleModel model = (ComponentSampleModel) raster.getSampleModel();
            DataBuffer buffer = raster.getDataBuffer();
            this.bytes = buffer instanceof DataBufferByte b ? b.getData() : null;
            this.shorts = buffer instanceof DataBufferUShort s ? s.getData() : null;
            this.pixelStride = model.getPixelStride();
            this.scanline = model.getScanlineStride();
            this.bands = model.getBandOffsets();
            this.base = buffer.getOffset() - raster.getSampleModelTranslateY() * scanline
                    - raster.getSampleModelTranslateX() * pixelStride;
        }

        @Override
        void read(int y, int[] argb) {
            int at = base + y * scanline;
            int n = bands.length;
            for (int x = 0; x < width; x++, at += pixelStride) {
                int c0 = sample(at + bands[0]);
                int r;
                int g;
                int b;
                int a;
                if (n <= 2) {
                    r = g = b = c0;
                    a = n == 2 ? sample(at + bands[1]) : 255;
                } else {
                    r = c0;
                    g = sample(at + bands[1]);
                    b = sample(at + bands[2]);
                    a = n == 4 ? sample(at + bands[3]) : 255;
                }
                argb[x] = a << 24 | r << 16 | g << 8 | b;
            }
        }

        private int sample(int at) {
            return bytes != null ? bytes[at] & 0xFF : (shorts[at] & 0xFFFF) >>> 8;
        }
    }

    /** Anything else, converted by Java2D's colour model. */
    private static final class Converted extends RowSource {
        private final BufferedImage image;

        Converted(BufferedImage image) {
            super(image);
            this.image = image;
        }

        @Override
        void read(int y, int[] argb) {
            image.getRGB(0, y, width, 1, argb, 0, width);
        }
    }
}
