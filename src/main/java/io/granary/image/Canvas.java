package io.granary.image;

import java.awt.image.BufferedImage;
import java.awt.image.DataBufferInt;

/**
 * The rendition's pixels: receives rows resampled in the source's stored orientation and puts
 * each pixel where it is displayed (EXIF orientation applied as it is written, so the image is
 * never turned as a whole), offset by any padding. Without alpha, translucent pixels are
 * flattened on white.
 */
final class Canvas implements Resampler.RowSink {

    private static final int WHITE = 0xFFFFFFFF;

    private final BufferedImage image;
    private final int[] pixels;
    private final int width;
    private final int orientation;
    private final int storedWidth;
    private final int storedHeight;
    private final int left;
    private final int top;
    private final boolean alpha;

    /**
     * @param layout the displayed sizes: canvas, content and its offset
     * @param orientation the EXIF orientation of the rows received
     * @param alpha whether the rendition keeps an alpha channel (padding is then transparent, else white)
     */
    Canvas(Layout layout, int orientation, boolean alpha) {
        this.width = layout.canvasWidth();
        this.image = new BufferedImage(width, layout.canvasHeight(), alpha ? BufferedImage.TYPE_INT_ARGB : BufferedImage.TYPE_INT_RGB);
        this.pixels = ((DataBufferInt) image.getRaster().getDataBuffer()).getData();
        this.orientation = orientation;
        boolean turned = Orientation.transposes(orientation);
        this.storedWidth = turned ? layout.contentHeight() : layout.contentWidth();
        this.storedHeight = turned ? layout.contentWidth() : layout.contentHeight();
        this.left = layout.left();
        this.top = layout.top();
        this.alpha = alpha;
        if (!alpha && layout.padded()) {
            java.util.Arrays.fill(pixels, WHITE);
        }
    }

    /** The width and height of the rows to send: the content's, in the stored orientation. */
    int storedWidth() {
        return storedWidth;
    }

    int storedHeight() {
        return storedHeight;
    }

    @Override
    public void row(int y, int[] argb) {
        int start = index(0, y);
        int step = storedWidth > 1 ? index(1, y) - start : 0;
        for (int x = 0, at = start; x < storedWidth; x++, at += step) {
            int p = argb[x];
            pixels[at] = alpha ? p : onWhite(p);
        }
    }

    BufferedImage image() {
        return image;
    }

    private int index(int x, int y) {
        int[] shown = Orientation.toDisplayed(orientation, storedWidth, storedHeight, x, y);
        return (top + shown[1]) * width + left + shown[0];
    }

    private static int onWhite(int p) {
        int a = p >>> 24;
        if (a == 255) {
            return p;
        }
        int r = ((p >> 16 & 0xFF) * a + 255 * (255 - a) + 127) / 255;
        int g = ((p >> 8 & 0xFF) * a + 255 * (255 - a) + 127) / 255;
        int b = ((p & 0xFF) * a + 255 * (255 - a) + 127) / 255;
        return 0xFF000000 | r << 16 | g << 8 | b;
    }
}
