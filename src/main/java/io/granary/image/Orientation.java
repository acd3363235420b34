package io.granary.image;

/**
 * An EXIF orientation (1-8): how the stored pixels are turned to be displayed upright. Only JPEG
 * sources carry one that Granary applies (EXIF in PNG and WebP is rare and browsers disagree about it).
 */
final class Orientation {

    /** Stored as displayed. */
    static final int NORMAL = 1;

    private Orientation() {
    }

    /** Whether the orientation swaps width and height (5-8: a quarter turn, with or without a flip). */
    static boolean transposes(int orientation) {
        return orientation >= 5 && orientation <= 8;
    }

    /**
     * The rectangle of the stored image (width {@code w}, height {@code h}) that is shown as the
     * displayed rectangle {@code x, y, width, height}: {@code [x, y, width, height]} in stored pixels.
     */
    static double[] toStored(int orientation, double w, double h, double x, double y, double width, double height) {
        double x2 = x + width;
        double y2 = y + height;
        return switch (orientation) {
            case 2 -> new double[] {w - x2, y, width, height};
            case 3 -> new double[] {w - x2, h - y2, width, height};
            case 4 -> new double[] {x, h - y2, width, height};
            case 5 -> new double[] {y, x, height, width};
            case 6 -> new double[] {y, h - x2, height, width};
            case 7 -> new double[] {w - y2, h - x2, height, width};
            case 8 -> new double[] {w - y2, x, height, width};
            default -> new double[] {x, y, width, height};
        };
    }

    /**
     * Where stored pixel {@code (x, y)} of an image {@code w} x {@code h} lands once displayed:
     * {@code [X, Y]}. The inverse of {@link #toStored}, for single pixels.
     */
    static int[] toDisplayed(int orientation, int w, int h, int x, int y) {
        return switch (orientation) {
            case 2 -> new int[] {w - 1 - x, y};
            case 3 -> new int[] {w - 1 - x, h - 1 - y};
            case 4 -> new int[] {x, h - 1 - y};
            case 5 -> new int[] {y, x};
            case 6 -> new int[] {h - 1 - y, x};
            case 7 -> new int[] {h - 1 - y, w - 1 - x};
            case 8 -> new int[] {y, w - 1 - x};
            default -> new int[] {x, y};
        };
    }

    /**
     * The orientation tag (0x0112) of IFD0 in a TIFF structure (an EXIF block after its
     * {@code Exif\0\0} header), or {@link #NORMAL} when absent, out of range or unreadable.
     */
    static int fromTiff(byte[] tiff, int offset, int length) {
        int end = offset + length;
        if (length < 8) {
            return NORMAL;
        }
        boolean little = tiff[offset] == 'I' && tiff[offset + 1] == 'I';
        if (!little && !(tiff[offset] == 'M' && tiff[offset + 1] == 'M')) {
            return NORMAL;
        }
        long ifd = offset + u32(tiff, offset + 4, little);
        if (ifd < offset || ifd + 2 > end) {
            return NORMAL;
        }
        int entries = u16(tiff, (int) ifd, little);
        for (int i = 0; i < entries; i++) {
            int entry = (int) ifd + 2 + 12 * i;
            if (entry + 12 > end) {
                return NORMAL;
            }
            if (u16(tiff, entry, little) == 0x0112) {
                // SHORT, count 1: the value sits left-justified in the 4-byte value field.
                int value = u16(tiff, entry + 8, little);
                return value >= 1 && value <= 8 ? value : NORMAL;
            }
        }
        return NORMAL;
    }

    private static int u16(byte[] b, int at, boolean little) {
        int b0 = b[at] & 0xFF;
        int b1 = b[at + 1] & 0xFF;
        return little ? b0 | b1 << 8 : b0 << 8 | b1;
    }

    private static long u32(byte[] b, int at, boolean little) {
        long hi = u16(b, little ? at + 2 : at, little);
        long lo = u16(b, little ? at : at + 2, little);
        return hi << 16 | lo;
    }
}
