package io.granary.image;

import java.io.IOException;
import java.nio.file.Path;

/**
 * One rendition, start to end, on a renderer thread: open and check the source, lay the
 * rendition out in upright coordinates, decode (subsampled when the rendition is much smaller),
 * resample the rows straight onto the oriented canvas, encode.
 *
 * <p>Memory: the decoded source (at most {@code maxPixels}, 3 bytes a pixel for JPEG, up to 8
 * for 16-bit RGBA PNG; divided by the square of the subsampling step when the rendition is at
 * least {@link #SUBSAMPLE_MARGIN} times smaller, by at most 16), plus the canvas (4 bytes a pixel, at most
 * 4096 x 4096 = 64 MiB) while the source is still held, plus the encoded bytes (at most
 * {@code maxOutputBytes}) and the encoder's working memory while the canvas is. The resampler
 * itself keeps a few rows. Worst case with the defaults: 50 MP of 16-bit RGBA (400 MB) + 64 MiB;
 * for a JPEG at the limit, 150 MB + 64 MiB (CMYK: about twice the decoded size, for the
 * conversion). The decoded source and the canvas are reserved from the {@link MemoryBudget}
 * before decoding, so renditions in progress together stay within it; a source that would take
 * more than half of the budget is decoded in {@linkplain BandedRows bands} of an eighth of it,
 * so that the worst case becomes an eighth of the budget + the canvas + the output (a 50 MP
 * JPEG to 4096 px WebP renders with {@code -Xmx256m}, in about three times the time).
 */
final class RenderJob {

    /**
     * Decoding skips pixels only while it keeps at least this many source pixels per rendition
     * pixel along each axis, so the resampler still averages several pixels for every one it
     * writes. Measured on a noisy 12 MP photo (RenderSpeedTest), a 150 px thumbnail made from
     * every 2nd pixel differs from one made from all of them by 50 dB PSNR, every 4th by 42 dB,
     * every 6th by 38 dB, every 9th by 34 dB: point sampling aliases fine detail. Hence also
     * {@link #MAX_STEP}.
     */
    static final double SUBSAMPLE_MARGIN = 2.5;
    /** The largest subsampling step: beyond it, what aliasing costs is no longer invisible. */
    static final int MAX_STEP = 4;

    private RenderJob() {
    }

    static Rendition render(Path path, RenditionSpec spec, ImageProperties limits, MemoryBudget budget, Job job)
            throws IOException {
        if (spec.format() == ImageFormat.AVIF) {
            throw ImageErrors.unsupported("format=avif is not supported: Granary has no AVIF encoder.");
        }
        try (SourceImage source = SourceImage.open(path, limits.maxSourceBytes().toBytes(), limits.maxPixels())) {
            int orientation = source.orientation();
            boolean turned = Orientation.transposes(orientation);
            Layout layout = Layout.of(turned ? source.height() : source.width(), turned ? source.width() : source.height(), spec);
            double[] crop = Orientation.toStored(orientation, source.width(), source.height(),
                    layout.cropX(), layout.cropY(), layout.cropWidth(), layout.cropHeight());
            int storedWidth = turned ? layout.contentHeight() : layout.contentWidth();
            int storedHeight = turned ? layout.contentWidth() : layout.contentHeight();
            int step = step(crop[2] / storedWidth, crop[3] / storedHeight);
            job.check();
            long rowBytes = (long) ceil(source.width(), step) * source.bytesPerPixel();
            long decodedBytes = rowBytes * ceil(source.height(), step);
            long canvasBytes = 4L * layout.canvasWidth() * layout.canvasHeight();
            // A source that would take more than half the budget decoded is decoded in bands of an eighth of it.
            int bandRows = decodedBytes + canvasBytes <= budget.bytes() / 2 ? 0
                    : (int) Math.max(16, Math.min(Integer.MAX_VALUE, budget.bytes() / 8 / rowBytes));
            long held = bandRows == 0 ? decodedBytes : Math.min(decodedBytes, bandRows * rowBytes);
            try (MemoryBudget.Reservation memory = budget.reserve(held + canvasBytes, job)) {
                RowSource rows = bandRows == 0 ? RowSource.of(source.decode(step, job)) : new BandedRows(source, step, bandRows, job);
                java.awt.color.ColorSpace profile = IccConversion.space(EmbeddedProfile.read(path, source.format()));
                return draw(rows, source.format(), profile, spec, limits, layout, orientation, crop, step, job);
            }
        }
    }

    /** Resamples the decoded rows onto the canvas and encodes it; the memory for it is reserved. */
    private static Rendition draw(RowSource rows, SourceFormat source, java.awt.color.ColorSpace profile, RenditionSpec spec,
                                  ImageProperties limits, Layout layout, int orientation, double[] crop, int step, Job job)
            throws IOException {
        ImageFormat format = outputFormat(spec, source, rows.alpha);
        Canvas canvas = new Canvas(layout, orientation, format.hasAlpha() && (rows.alpha || layout.padded()));
        double[] scaled = {crop[0] / step, crop[1] / step,
            Math.min(crop[2] / step, rows.width - crop[0] / step), Math.min(crop[3] / step, rows.height - crop[1] / step)};
        Resampler.resample(rows, scaled, canvas.storedWidth(), canvas.storedHeight(), canvas, job);
        rows = null; // the encoder's memory may use what the source held
        job.check();
        if (profile != null) {
            IccConversion.toSrgb(canvas.image(), profile);
        }
        int quality = spec.quality() != null ? spec.quality() : limits.defaultQuality();
        byte[] bytes = Encoder.encode(canvas.image(), format, quality, limits.maxOutputBytes().toBytes());
        return new Rendition(bytes, format.contentType(), layout.canvasWidth(), layout.canvasHeight());
    }

    private static int ceil(int length, int step) {
        return (length + step - 1) / step;
    }

    /** Reads the header only. */
    static ImageInfo probe(Path path, ImageProperties limits) throws IOException {
        try (SourceImage source = SourceImage.open(path, limits.maxSourceBytes().toBytes(), limits.maxPixels())) {
            return source.info();
        }
    }

    /** The subsampling step: how many source pixels per rendition pixel, divided by the margin. */
    static int step(double across, double down) {
        return Math.max(1, Math.min(MAX_STEP, (int) Math.floor(Math.min(across, down) / SUBSAMPLE_MARGIN)));
    }

    /**
     * The format asked for; without one, the source's if Granary encodes it (a WebP only if the
     * client accepts WebP, else PNG with alpha, JPEG without), PNG for GIF and BMP.
     */
    static ImageFormat outputFormat(RenditionSpec spec, SourceFormat source, boolean alpha) {
        if (spec.format() != null) {
            return spec.format();
        }
        return switch (source) {
            case JPEG -> ImageFormat.JPEG;
            case WEBP -> !spec.variesByAccept() ? ImageFormat.WEBP : alpha ? ImageFormat.PNG : ImageFormat.JPEG;
            default -> ImageFormat.PNG;
        };
    }
}
