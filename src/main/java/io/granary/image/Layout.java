package io.granary.image;

/**
 * Where a rendition's pixels come from and go, in displayed (upright) coordinates: the canvas
 * (the rendition's size), the content placed on it (smaller only for {@link Fit#CONTAIN}'s
 * padding) and the source rectangle shown as the content (smaller than the source only for
 * {@link Fit#COVER}'s crop). Every side of a rendition is at most {@link RenditionSpec#MAX_SIDE}:
 * a source larger than that is shrunk to fit even when no size was asked.
 */
record Layout(int canvasWidth, int canvasHeight, int contentWidth, int contentHeight, int left, int top,
              double cropX, double cropY, double cropWidth, double cropHeight) {

    /** Whether the content does not cover the whole canvas. */
    boolean padded() {
        return contentWidth != canvasWidth || contentHeight != canvasHeight;
    }

    /** The layout of {@code spec} for a source displayed {@code width} x {@code height}. */
    static Layout of(int width, int height, RenditionSpec spec) {
        Integer boxWidth = spec.targetWidth();
        Integer boxHeight = spec.targetHeight();
        if (boxWidth == null && boxHeight == null) {
            return whole(width, height, 1);
        }
        if (boxWidth == null || boxHeight == null) {
            double scale = boxWidth != null ? (double) boxWidth / width : (double) boxHeight / height;
            return whole(width, height, spec.fit() == Fit.INSIDE ? Math.min(scale, 1) : scale);
        }
        double across = (double) boxWidth / width;
        double down = (double) boxHeight / height;
        return switch (spec.fit()) {
            case FILL -> new Layout(boxWidth, boxHeight, boxWidth, boxHeight, 0, 0, 0, 0, width, height);
            case INSIDE -> whole(width, height, Math.min(1, Math.min(across, down)));
            case CONTAIN -> contain(width, height, boxWidth, boxHeight, Math.min(across, down));
            case COVER -> cover(width, height, boxWidth, boxHeight, Math.max(across, down), spec.focal());
        };
    }

    /** The whole source scaled by {@code scale}, then shrunk if a side would pass the maximum. */
    private static Layout whole(int width, int height, double scale) {
        scale = Math.min(scale, Math.min((double) RenditionSpec.MAX_SIDE / width, (double) RenditionSpec.MAX_SIDE / height));
        int w = side(width * scale);
        int h = side(height * scale);
        return new Layout(w, h, w, h, 0, 0, 0, 0, width, height);
    }

    private static Layout contain(int width, int height, int boxWidth, int boxHeight, double scale) {
        int w = Math.min(boxWidth, side(width * scale));
        int h = Math.min(boxHeight, side(height * scale));
        return new Layout(boxWidth, boxHeight, w, h, (boxWidth - w) / 2, (boxHeight - h) / 2, 0, 0, width, height);
    }

    /** The largest part of the source with the box's aspect ratio, centred on the focal point as far as the edges allow. */
    private static Layout cover(int width, int height, int boxWidth, int boxHeight, double scale, Focal focal) {
        double cropWidth = Math.min(width, boxWidth / scale);
        double cropHeight = Math.min(height, boxHeight / scale);
        double x = clamp(width * focal.x() / 100.0 - cropWidth / 2, width - cropWidth);
        double y = clamp(height * focal.y() / 100.0 - cropHeight / 2, height - cropHeight);
        return new Layout(boxWidth, boxHeight, boxWidth, boxHeight, 0, 0, x, y, cropWidth, cropHeight);
    }

    private static int side(double length) {
        return (int) Math.max(1, Math.min(RenditionSpec.MAX_SIDE, Math.round(length)));
    }

    private static double clamp(double value, double max) {
        return Math.max(0, Math.min(value, max));
    }
}
