package io.granary.image;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Single-thread speed of the renderer on a 12 MP photo-like JPEG, and what subsampled decoding
 * costs in quality. A measurement, not a check: runs only with {@code -Dgranary.bench=true}.
 */
class RenderSpeedTest {

    @TempDir
    Path dir;

    @Test
    void twelveMegapixelJpegToWebp() throws IOException {
        Assumptions.assumeTrue(Boolean.getBoolean("granary.bench"), "a measurement: -Dgranary.bench=true");
        Path source = dir.resolve("photo.jpg");
        Files.write(source, TestImages.withSegments(TestImages.encode(TestImages.photo(4000, 3000, 42), "jpeg"), TestImages.exif(1)));
        ImageProperties limits = ImageProperties.defaults();
        for (String query : new String[] {"width=800&format=webp", "width=150&height=150&format=webp", "width=800&format=jpeg"}) {
            RenditionSpec spec = RenditionSpecTest.spec(query, null);
            for (int i = 0; i < 3; i++) {
                RenderJob.render(source, spec, limits, MemoryBudget.halfTheHeap(), new Job());
            }
            int runs = 8;
            long start = System.nanoTime();
            Rendition last = null;
            for (int i = 0; i < runs; i++) {
                last = RenderJob.render(source, spec, limits, MemoryBudget.halfTheHeap(), new Job());
            }
            double ms = (System.nanoTime() - start) / 1e6 / runs;
            System.out.printf("BENCH %s: %.0f ms per image, %d bytes, %dx%d%n", query, ms, last.bytes().length, last.width(), last.height());
        }
        long start = System.nanoTime();
        try (SourceImage image = SourceImage.open(source, Long.MAX_VALUE, Long.MAX_VALUE)) {
            image.decode(1, new Job());
        }
        System.out.printf("BENCH decode alone: %.0f ms%n", (System.nanoTime() - start) / 1e6);
        // Quality: a 150 px rendition from a subsampled decode against one from the full decode.
        for (int step : new int[] {2, 4, 6, 9}) {
            System.out.printf("BENCH 150x150 from every %dth pixel: PSNR %.1f dB against the full decode%n", step, psnr(source, step));
        }
    }

    private static double psnr(Path source, int step) throws IOException {
        BufferedImage full = thumbnail(source, 1);
        BufferedImage sub = thumbnail(source, step);
        double sum = 0;
        int n = 0;
        for (int y = 0; y < full.getHeight(); y++) {
            for (int x = 0; x < full.getWidth(); x++) {
                int a = full.getRGB(x, y);
                int b = sub.getRGB(x, y);
                for (int shift = 0; shift <= 16; shift += 8) {
                    double d = (a >> shift & 0xFF) - (b >> shift & 0xFF);
                    sum += d * d;
                    n++;
                }
            }
        }
        return 10 * Math.log10(255.0 * 255.0 / (sum / n));
    }

    private static BufferedImage thumbnail(Path source, int step) throws IOException {
        try (SourceImage image = SourceImage.open(source, Long.MAX_VALUE, Long.MAX_VALUE)) {
            RowSource rows = RowSource.of(image.decode(step, new Job()));
            Layout layout = Layout.of(4000, 3000, RenditionSpecTest.spec("width=150&height=150", null));
            Canvas canvas = new Canvas(layout, 1, false);
            double[] crop = {layout.cropX() / step, layout.cropY() / step, layout.cropWidth() / step, layout.cropHeight() / step};
            Resampler.resample(rows, crop, 150, 150, canvas, new Job());
            BufferedImage result = canvas.image();
            assertThat(ImageIO.read(new ByteArrayInputStream(Encoder.encode(result, ImageFormat.PNG, 80, 1 << 24)))).isNotNull();
            return result;
        }
    }
}
