package io.granary.image;

import java.util.ArrayDeque;

/**
 * A separable high-quality resampler (see {@link Taps}) that streams: it reads the source one row
 * at a time and hands each output row to a {@link RowSink} as soon as it is complete, so beyond
 * the source and the sink it holds only a few rows. When shrinking vertically, each source row is
 * added into the few output rows it contributes to ("push"); when enlarging, each output row is
 * interpolated from a ring of the few source rows it needs ("pull"), so neither way keeps more
 * than about four rows of the output's width. Colours with alpha are averaged premultiplied, so
 * transparent pixels do not bleed their (meaningless) colour into the edges.
 */
final class Resampler {

    /** Receives finished output rows: ARGB, alpha not premultiplied. */
    interface RowSink {
        void row(int y, int[] argb);
    }

    private final RowSource source;
    private final Taps across;
    private final Taps down;
    private final int outWidth;
    private final int outHeight;
    private final int channels;
    private final int from;
    private final int[] in;
    private final float[] planes;
    private final int span;
    private final int[] out;

    private Resampler(RowSource source, double[] crop, int outWidth, int outHeight) {
        this.source = source;
        this.across = Taps.of(source.width, crop[0], crop[2], outWidth);
        this.down = Taps.of(source.height, crop[1], crop[3], outHeight);
        this.outWidth = outWidth;
        this.outHeight = outHeight;
        this.channels = source.alpha ? 4 : 3;
        this.from = across.first[0];
        this.span = across.end() - from;
        this.in = new int[source.width];
        this.planes = new float[channels * span];
        this.out = new int[outWidth];
    }

    /**
     * Resamples the source rectangle {@code crop} ({@code x, y, width, height} in source pixels,
     * fractions allowed) to {@code outWidth} x {@code outHeight}, row by row into {@code sink}.
     */
    static void resample(RowSource source, double[] crop, int outWidth, int outHeight, RowSink sink, Job job) {
        Resampler resampler = new Resampler(source, crop, outWidth, outHeight);
        if (crop[3] >= outHeight) {
            resampler.push(sink, job);
        } else {
            resampler.pull(sink, job);
        }
    }

    private void push(RowSink sink, Job job) {
        float[][] open = new float[outHeight][];
        ArrayDeque<float[]> spare = new ArrayDeque<>();
        float[] row = new float[channels * outWidth];
        int firstOpen = 0;
        for (int s = down.first[0], end = down.end(); s < end && firstOpen < outHeight; s++) {
            if ((s & 15) == 0) {
                job.check();
            }
            across(s, row);
            for (int j = firstOpen; j < outHeight && down.first[j] <= s; j++) {
                int t = s - down.first[j];
                if (t < down.count[j]) {
                    if (open[j] == null) {
                        open[j] = spare.isEmpty() ? new float[row.length] : spare.pop();
                    }
                    add(open[j], row, down.weights[j * down.stride + t]);
                }
            }
            while (firstOpen < outHeight && down.first[firstOpen] + down.count[firstOpen] - 1 <= s) {
                float[] done = open[firstOpen];
                emit(firstOpen, done, sink);
                java.util.Arrays.fill(done, 0);
                spare.push(done);
                open[firstOpen++] = null;
            }
        }
    }

    private void pull(RowSink sink, Job job) {
        int ring = 0;
        for (int c : down.count) {
            ring = Math.max(ring, c);
        }
        float[][] rows = new float[ring][channels * outWidth];
        int[] held = new int[ring];
        java.util.Arrays.fill(held, -1);
        float[] sum = new float[channels * outWidth];
        for (int j = 0; j < outHeight; j++) {
            if ((j & 15) == 0) {
                job.check();
            }
            java.util.Arrays.fill(sum, 0);
            for (int t = 0; t < down.count[j]; t++) {
                int s = down.first[j] + t;
                int slot = s % ring;
                if (held[slot] != s) {
                    across(s, rows[slot]);
                    held[slot] = s;
                }
                add(sum, rows[slot], down.weights[j * down.stride + t]);
            }
            emit(j, sum, sink);
        }
    }

    /** Source row {@code s}, resampled horizontally into planes (one per channel) of the output's width. */
    private void across(int s, float[] row) {
        source.read(s, in);
        boolean alpha = channels == 4;
        for (int x = 0; x < span; x++) {
            int p = in[from + x];
            float r = p >> 16 & 0xFF;
            float g = p >> 8 & 0xFF;
            float b = p & 0xFF;
            if (alpha) {
                float a = p >>> 24;
                float f = a / 255f;
                r *= f;
                g *= f;
                b *= f;
                planes[3 * span + x] = a;
            }
            planes[x] = r;
            planes[span + x] = g;
            planes[2 * span + x] = b;
        }
        int stride = across.stride;
        float[] weights = across.weights;
        for (int c = 0; c < channels; c++) {
            int plane = c * span - from;
            int target = c * outWidth;
            for (int i = 0; i < outWidth; i++) {
                int at = plane + across.first[i];
                int w = i * stride;
                float total = 0;
                for (int t = 0, n = across.count[i]; t < n; t++) {
                    total += weights[w + t] * planes[at + t];
                }
                row[target + i] = total;
            }
        }
    }

    private static void add(float[] sum, float[] row, float weight) {
        for (int i = 0; i < sum.length; i++) {
            sum[i] += weight * row[i];
        }
    }

    private void emit(int y, float[] sum, RowSink sink) {
        int w = outWidth;
        for (int x = 0; x < w; x++) {
            float r = sum[x];
            float g = sum[w + x];
            float b = sum[2 * w + x];
            int a = 255;
            if (channels == 4) {
                float alpha = sum[3 * w + x];
                a = clamp(alpha);
                if (a == 0) {
                    out[x] = 0;
                    continue;
                }
                float f = 255f / alpha;
                r *= f;
                g *= f;
                b *= f;
            }
            out[x] = a << 24 | clamp(r) << 16 | clamp(g) << 8 | clamp(b);
        }
        sink.row(y, out);
    }

    private static int clamp(float value) {
        int v = (int) (value + 0.5f);
        return v < 0 ? 0 : Math.min(v, 255);
    }
}
