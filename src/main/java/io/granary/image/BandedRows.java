package io.granary.image;

/**
 * The rows of a source too large to hold decoded at once, decoded one horizontal band at a time
 * as the resampler asks for them (it reads rows in increasing order, so each band is decoded
 * once). Costs more time than one decode, since the decoder runs through the rows above each
 * band again, but holds only one band: a source at the pixel limit renders with a small heap.
 */
final class BandedRows extends RowSource {

    private final SourceImage source;
    private final int step;
    private final int bandRows;
    private final Job job;
    private int bandTop = -1;
    private RowSource band;

    /**
     * @param bandRows rows of a band, counted after subsampling by {@code step}
     */
    BandedRows(SourceImage source, int step, int bandRows, Job job) {
        super((source.width() + step - 1) / step, (source.height() + step - 1) / step, source.alpha());
        this.source = source;
        this.step = step;
        this.bandRows = Math.max(1, bandRows);
        this.job = job;
    }

    @Override
    void read(int y, int[] argb) {
        int top = y / bandRows * bandRows;
        if (top != bandTop) {
            band = null; // let the previous band go before the next one is decoded
            int storedTop = top * step;
            int storedRows = Math.min(source.height() - storedTop, bandRows * step);
            band = RowSource.of(source.decode(step, storedTop, storedRows, job));
            bandTop = top;
        }
        band.read(y - top, argb);
    }
}
