package io.granary.image;

import java.awt.image.BufferedImage;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Locale;
import javax.imageio.ImageIO;
import javax.imageio.ImageReadParam;
import javax.imageio.ImageReader;
import javax.imageio.stream.FileImageInputStream;
import javax.imageio.stream.ImageInputStream;

/**
 * A source image opened for decoding, its limits checked from the header alone: the file's size
 * first, then its magic number, then the width and height its reader parsed from the header
 * ({@link ImageReader#getWidth} reads no pixel). Nothing larger than the limits is ever decoded.
 * Metadata is ignored while decoding (the PNG reader would otherwise inflate every compressed text
 * chunk, a bomb of its own); the EXIF orientation is read apart, from the JPEG segments before the image data.
 */
final class SourceImage implements AutoCloseable {

    private final Path path;
    private final SourceFormat format;
    private final ImageInputStream stream;
    private final ImageReader reader;
    private final int width;
    private final int height;

    private SourceImage(Path path, SourceFormat format, ImageInputStream stream, ImageReader reader, int width, int height) {
        this.path = path;
        this.format = format;
        this.stream = stream;
        this.reader = reader;
        this.width = width;
        this.height = height;
    }

    static SourceImage open(Path path, long maxBytes, long maxPixels) throws IOException {
        long size = Files.size(path);
        if (size > maxBytes) {
            throw ImageErrors.tooLarge("The image has " + size + " bytes, more than the " + maxBytes + " that transforms accept.");
        }
        byte[] head = new byte[SourceFormat.SNIFF_BYTES];
        int length;
        try (InputStream in = Files.newInputStream(path)) {
            length = in.readNBytes(head, 0, head.length);
        }
        SourceFormat format = SourceFormat.sniff(head, length);
        ImageReader reader = reader(format);
        ImageInputStream stream = new FileImageInputStream(path.toFile());
        try {
            reader.setInput(stream, false, true);
            int width = reader.getWidth(0);
            int height = reader.getHeight(0);
            if (width < 1 || height < 1) {
                throw ImageErrors.corrupt("its header gives no size");
            }
            if ((long) width * height > maxPixels) {
                throw ImageErrors.tooLarge("The image has " + width + " x " + height + " pixels, more than the "
                        + maxPixels + " that transforms accept.");
            }
            return new SourceImage(path, format, stream, reader, width, height);
        } catch (IOException | RuntimeException unreadable) {
            reader.dispose();
            stream.close();
            throw unreadable instanceof io.granary.error.GranaryException refused ? refused : ImageErrors.corrupt(reason(unreadable));
        }
    }

    SourceFormat format() {
        return format;
    }

    int width() {
        return width;
    }

    int height() {
        return height;
    }

    /**
     * What one decoded pixel takes in memory, from the reader's image type (no pixel read): a
     * sample's bytes times the bands, 4 for packed pixels, 1 for palettes; a CMYK JPEG counts its
     * conversion to RGB too. 4 when the reader cannot say.
     */
    /** Whether decoded pixels have alpha, from the reader's image type (no pixel read); {@code true} when it cannot say. */
    boolean alpha() {
        try {
            javax.imageio.ImageTypeSpecifier type = reader.getRawImageType(0);
            if (type == null) {
                Iterator<javax.imageio.ImageTypeSpecifier> types = reader.getImageTypes(0);
                type = types.hasNext() ? types.next() : null;
            }
            return type == null || type.getColorModel().hasAlpha();
        } catch (IOException | RuntimeException unknown) {
            return true;
        }
    }

    int bytesPerPixel() {
        try {
            javax.imageio.ImageTypeSpecifier type = reader.getRawImageType(0);
            if (type == null) {
                Iterator<javax.imageio.ImageTypeSpecifier> types = reader.getImageTypes(0);
                type = types.hasNext() ? types.next() : null;
            }
            if (type == null) {
                return 4;
            }
            java.awt.image.SampleModel model = type.getSampleModel(1, 1);
            if (model instanceof java.awt.image.SinglePixelPackedSampleModel) {
                return 4;
            }
            if (model instanceof java.awt.image.MultiPixelPackedSampleModel) {
                return 1;
            }
            int bytes = model.getNumBands() * java.awt.image.DataBuffer.getDataTypeSize(model.getDataType()) / 8;
            return format == SourceFormat.JPEG && model.getNumBands() == 4 ? bytes + 3 : Math.max(1, bytes);
        } catch (IOException | RuntimeException unknown) {
            return 4;
        }
    }

    ImageInfo info() {
        return new ImageInfo(format.formatName(), width, height);
    }

    /** The EXIF orientation of a JPEG; {@link Orientation#NORMAL} for other formats or when unreadable. */
    int orientation() {
        if (format != SourceFormat.JPEG) {
            return Orientation.NORMAL;
        }
        try (InputStream in = new BufferedInputStream(Files.newInputStream(path))) {
            return JpegStripper.orientation(in);
        } catch (IOException | RuntimeException unreadable) {
            return Orientation.NORMAL;
        }
    }

    /**
     * Decodes the first image (the first frame of an animation), every {@code step}th pixel of
     * every {@code step}th row. A truncated JPEG (which decoders fill in grey with a warning) is refused.
     */
    BufferedImage decode(int step, Job job) {
        return decode(step, 0, height, job);
    }

    /**
     * Decodes the stored rows {@code [top, top + rows)} only, subsampled as {@link #decode(int, Job)}
     * ({@code top} a multiple of {@code step}, so bands line up). The decoder still reads the
     * rows above (JPEG and PNG are sequential), but only the band's pixels are kept.
     */
    BufferedImage decode(int step, int top, int rows, Job job) {
        ImageReadParam param = reader.getDefaultReadParam();
        if (step > 1) {
            param.setSourceSubsampling(step, step, 0, 0);
        }
        if (top > 0 || rows < height) {
            param.setSourceRegion(new java.awt.Rectangle(0, top, width, rows));
        }
        String[] truncated = new String[1];
        reader.removeAllIIOReadWarningListeners();
        reader.addIIOReadWarningListener((r, warning) -> {
            if (warning != null && warning.toLowerCase(Locale.ROOT).contains("premature end")) {
                truncated[0] = warning;
            }
        });
        job.reading(reader);
        try {
            BufferedImage image = reader.read(0, param);
            job.check();
            if (truncated[0] != null) {
                throw ImageErrors.corrupt(truncated[0]);
            }
            return image;
        } catch (IOException | RuntimeException unreadable) {
            if (unreadable instanceof io.granary.error.GranaryException
                    || unreadable instanceof java.util.concurrent.CancellationException) {
                throw (RuntimeException) unreadable;
            }
            job.check();
            throw ImageErrors.corrupt(reason(unreadable));
        }
    }

    @Override
    public void close() throws IOException {
        reader.dispose();
        stream.close();
    }

    private static String reason(Exception unreadable) {
        String message = unreadable.getMessage();
        return message == null || message.isBlank() ? unreadable.getClass().getSimpleName() : message;
    }

    /**
     * The reader for a format, chosen by implementation rather than by ImageIO's registration
     * order: TwelveMonkeys' for JPEG (CMYK, YCCK, ICC profiles to sRGB) and WebP (pure Java,
     * animated files too), the JDK's for the rest.
     */
    private static ImageReader reader(SourceFormat format) {
        String preferred = format == SourceFormat.JPEG || format == SourceFormat.WEBP ? "com.twelvemonkeys." : "com.sun.imageio.";
        ImageReader fallback = null;
        for (Iterator<ImageReader> readers = ImageIO.getImageReadersByFormatName(format.formatName()); readers.hasNext(); ) {
            ImageReader candidate = readers.next();
            if (candidate.getClass().getName().startsWith(preferred)) {
                if (fallback != null) {
                    fallback.dispose();
                }
                return candidate;
            }
            if (fallback == null) {
                fallback = candidate;
            } else {
                candidate.dispose();
            }
        }
        if (fallback == null) {
            throw ImageErrors.unsupported("No decoder for " + format.formatName() + " images is installed.");
        }
        return fallback;
    }
}
