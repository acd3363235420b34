package io.granary.image;

/**
 * The filter weights of one axis of a resampling: for each output pixel, the first source pixel
 * it reads, how many, and their weights (summing to 1). Catmull-Rom (a cubic with a = -0.5), widened
 * by the reduction factor when shrinking so that every source pixel counts (no aliasing), and the
 * plain cubic interpolation when enlarging. Taps beyond the image's edge are dropped and the
 * rest renormalised.
 */
final class Taps {

    private static final double RADIUS = 2;

    final int[] first;
    final int[] count;
    final float[] weights;
    final int stride;

    private Taps(int[] first, int[] count, float[] weights, int stride) {
        this.first = first;
        this.count = count;
        this.weights = weights;
        this.stride = stride;
    }

    /**
     * Weights mapping {@code outLength} output pixels onto the source span {@code [from, from + span)}
     * of an axis {@code sourceLength} pixels long.
     */
    static Taps of(int sourceLength, double from, double span, int outLength) {
        double scale = span / outLength;
        double widen = Math.max(scale, 1);
        double support = RADIUS * widen;
        int stride = (int) Math.ceil(support) * 2 + 1;
        int[] first = new int[outLength];
        int[] count = new int[outLength];
        float[] weights = new float[outLength * stride];
        double[] w = new double[stride];
        for (int i = 0; i < outLength; i++) {
            double centre = from + (i + 0.5) * scale;
            int lo = Math.max(0, (int) Math.floor(centre - support));
            int hi = Math.min(sourceLength - 1, (int) Math.ceil(centre + support));
            hi = Math.min(hi, lo + stride - 1);
            double sum = 0;
            int n = 0;
            for (int j = lo; j <= hi; j++) {
                w[n] = cubic((j + 0.5 - centre) / widen);
                sum += w[n++];
            }
            // Trim zero weights at both ends, so the rows read are only those that count.
            int start = 0;
            while (start < n - 1 && w[start] == 0) {
                start++;
            }
            while (n - 1 > start && w[n - 1] == 0) {
                n--;
            }
            if (sum == 0) {
                // Can only happen for a span narrower than a pixel at the very edge: take the nearest pixel.
                first[i] = Math.min(sourceLength - 1, Math.max(0, (int) centre));
                count[i] = 1;
                weights[i * stride] = 1;
                continue;
            }
            first[i] = lo + start;
            count[i] = n - start;
            for (int t = start; t < n; t++) {
                weights[i * stride + t - start] = (float) (w[t] / sum);
            }
        }
        return new Taps(first, count, weights, stride);
    }

    /** The last source pixel any output pixel reads, plus one. */
    int end() {
        int end = 0;
        for (int i = 0; i < first.length; i++) {
            end = Math.max(end, first[i] + count[i]);
        }
        return end;
    }

    /** Catmull-Rom: sharp without ringing much, the usual "bicubic". */
    private static double cubic(double x) {
        x = Math.abs(x);
        if (x < 1) {
            return 1.5 * x * x * x - 2.5 * x * x + 1;
        }
        if (x < 2) {
            return -0.5 * x * x * x + 2.5 * x * x - 4 * x + 2;
        }
        return 0;
    }
}
