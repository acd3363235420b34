package io.granary.image;

import java.awt.color.ColorSpace;
import java.awt.color.ICC_ColorSpace;
import java.awt.color.ICC_Profile;
import java.awt.image.BufferedImage;
import java.awt.image.ColorConvertOp;
import java.awt.image.ComponentColorModel;
import java.awt.image.DataBuffer;
import java.awt.image.DataBufferInt;
import java.awt.image.WritableRaster;

/**
 * Converts a rendition's pixels from the RGB profile its PNG source embedded ({@code iCCP}) to
 * sRGB, after resampling, so only the rendition's pixels are converted, a band of rows at a
 * time. (TwelveMonkeys applies JPEG and WebP profiles itself while decoding.) Resampling in
 * the source's space instead of sRGB makes no visible difference: both are gamma-encoded.
 */
final class IccConversion {

    private static final int BAND = 64;

    private IccConversion() {
    }

    /** The profile's colour space if it is a valid RGB profile other than sRGB, else {@code null}. */
    static ColorSpace space(byte[] profile) {
        if (profile == null) {
            return null;
        }
        try {
            ICC_Profile icc = ICC_Profile.getInstance(profile);
            if (icc.getColorSpaceType() != ColorSpace.TYPE_RGB || icc.getNumComponents() != 3) {
                return null;
            }
            ICC_ColorSpace space = new ICC_ColorSpace(icc);
            return space.isCS_sRGB() ? null : space;
        } catch (RuntimeException invalid) {
            return null; // a broken profile is ignored, as browsers do
        }
    }

    /** Converts {@code image} (INT_RGB or INT_ARGB, values in {@code from}) to sRGB in place; alpha is kept. */
    static void toSrgb(BufferedImage image, ColorSpace from) {
        int width = image.getWidth();
        int height = image.getHeight();
        int[] pixels = ((DataBufferInt) image.getRaster().getDataBuffer()).getData();
        ComponentColorModel sourceModel = new ComponentColorModel(from, false, false, java.awt.Transparency.OPAQUE, DataBuffer.TYPE_BYTE);
        ComponentColorModel targetModel = new ComponentColorModel(ColorSpace.getInstance(ColorSpace.CS_sRGB), false, false,
                java.awt.Transparency.OPAQUE, DataBuffer.TYPE_BYTE);
        ColorConvertOp op = new ColorConvertOp(from, ColorSpace.getInstance(ColorSpace.CS_sRGB), null);
        for (int top = 0; top < height; top += BAND) {
            int rows = Math.min(BAND, height - top);
            WritableRaster in = sourceModel.createCompatibleWritableRaster(width, rows);
            WritableRaster out = targetModel.createCompatibleWritableRaster(width, rows);
            int[] rgb = new int[3];
            for (int y = 0; y < rows; y++) {
                for (int x = 0; x < width; x++) {
                    int p = pixels[(top + y) * width + x];
                    rgb[0] = p >> 16 & 0xFF;
                    rgb[1] = p >> 8 & 0xFF;
                    rgb[2] = p & 0xFF;
                    in.setPixel(x, y, rgb);
                }
            }
            op.filter(new BufferedImage(sourceModel, in, false, null), new BufferedImage(targetModel, out, false, null));
            for (int y = 0; y < rows; y++) {
                for (int x = 0; x < width; x++) {
                    out.getPixel(x, y, rgb);
                    int at = (top + y) * width + x;
                    pixels[at] = pixels[at] & 0xFF000000 | rgb[0] << 16 | rgb[1] << 8 | rgb[2];
                }
            }
        }
    }
}
