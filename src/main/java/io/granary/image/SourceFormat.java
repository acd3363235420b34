package io.granary.image;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The formats Granary decodes, recognised by their magic numbers (never by a name or a declared
 * content type, which a client chose). Recognised image formats that are not decoded (TIFF,
 * HEIF/AVIF, SVG, JPEG XL, JPEG 2000, ICO, PSD) are refused as unsupported, anything else as not
 * an image. SVG in particular is never rasterised: script inside it is a stored-XSS vector, and a
 * rasteriser is a large attack surface.
 */
enum SourceFormat {
    JPEG("jpeg"), PNG("png"), WEBP("webp"), GIF("gif"), BMP("bmp");

    /** How many leading bytes {@link #sniff} needs at most. */
    static final int SNIFF_BYTES = 512;

    private final String formatName;

    SourceFormat(String formatName) {
        this.formatName = formatName;
    }

    /** The ImageIO format name, also {@link ImageInfo#format()}. */
    String formatName() {
        return formatName;
    }

    /** The format of bytes starting with {@code head} (up to {@link #SNIFF_BYTES} of them). */
    static SourceFormat sniff(byte[] head, int length) {
        byte[] h = Arrays.copyOf(head, Math.max(length, 16));
        if (u(h, 0) == 0xFF && u(h, 1) == 0xD8 && u(h, 2) == 0xFF) {
            return JPEG;
        }
        if (startsWith(h, 0, new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'})) {
            return PNG;
        }
        if (startsWith(h, 0, ascii("RIFF")) && startsWith(h, 8, ascii("WEBP"))) {
            return WEBP;
        }
        if (startsWith(h, 0, ascii("GIF87a")) || startsWith(h, 0, ascii("GIF89a"))) {
            return GIF;
        }
        if (startsWith(h, 0, ascii("BM")) && length >= 26 && u(h, 14) + (u(h, 15) << 8) >= 12 && u(h, 16) == 0 && u(h, 17) == 0) {
            return BMP; // "BM" and a plausible DIB header size: two letters alone start many text files
        }
        String unsupported = unsupportedName(h, length);
        if (unsupported != null) {
            throw ImageErrors.unsupported(unsupported + " images are not supported: Granary decodes JPEG, PNG, WebP, GIF and BMP.");
        }
        throw ImageErrors.notAnImage();
    }

    /** The name of an image format recognised but not decoded, or {@code null}. */
    private static String unsupportedName(byte[] h, int length) {
        if (startsWith(h, 0, new byte[] {'I', 'I', 42, 0}) || startsWith(h, 0, new byte[] {'M', 'M', 0, 42})) {
            return "TIFF";
        }
        if (startsWith(h, 4, ascii("ftyp"))) {
            String brand = new String(h, 8, 4, StandardCharsets.ISO_8859_1);
            if (brand.startsWith("avi")) {
                return "AVIF";
            }
            if (brand.startsWith("hei") || brand.startsWith("hev") || brand.equals("mif1") || brand.equals("msf1")) {
                return "HEIF";
            }
        }
        if (startsWith(h, 0, new byte[] {(byte) 0xFF, 0x0A}) || startsWith(h, 4, ascii("JXL "))) {
            return "JPEG XL";
        }
        if (startsWith(h, 4, ascii("jP  ")) || startsWith(h, 0, new byte[] {(byte) 0xFF, 0x4F, (byte) 0xFF, 0x51})) {
            return "JPEG 2000";
        }
        if (startsWith(h, 0, new byte[] {0, 0, 1, 0}) || startsWith(h, 0, new byte[] {0, 0, 2, 0})) {
            return "ICO";
        }
        if (startsWith(h, 0, ascii("8BPS"))) {
            return "PSD";
        }
        String text = new String(h, 0, Math.min(length, SNIFF_BYTES), StandardCharsets.ISO_8859_1).stripLeading();
        if (text.startsWith("<svg") || (text.startsWith("<?xml") || text.startsWith("<!--") || text.startsWith("<!DOCTYPE"))
                && text.contains("<svg")) {
            return "SVG";
        }
        return null;
    }

    private static int u(byte[] bytes, int at) {
        return bytes[at] & 0xFF;
    }

    private static boolean startsWith(byte[] bytes, int at, byte[] prefix) {
        return bytes.length >= at + prefix.length && Arrays.equals(bytes, at, at + prefix.length, prefix, 0, prefix.length);
    }

    private static byte[] ascii(String text) {
        return text.getBytes(StandardCharsets.ISO_8859_1);
    }
}
