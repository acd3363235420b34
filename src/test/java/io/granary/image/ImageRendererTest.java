package io.granary.image;

import static io.granary.image.TestImages.contains;
import static io.granary.image.TestImages.distance;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.granary.error.ErrorCode;
import io.granary.error.GranaryException;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.util.unit.DataSize;
import reactor.core.scheduler.Schedulers;

class ImageRendererTest {

    /** Shared by the image test classes, never closed: its threads are daemons. */
    static final PooledImageRenderer RENDERER = new PooledImageRenderer(new ImageProperties(50_000_000,
            DataSize.ofMegabytes(100), DataSize.ofMegabytes(32), 2, 8, Duration.ofSeconds(60), 80, null));

    @TempDir
    Path dir;

    Path file(byte[] bytes) throws IOException {
        Path file = Files.createTempFile(dir, "source", ".bin");
        Files.write(file, bytes);
        return file;
    }

    /** Renders on a Reactor thread, so BlockHound sees any blocking call the renderer makes there. */
    static Rendition render(Path source, String query) {
        RenditionSpec spec = RenditionSpec.parse(RenditionSpecTest.query(query), null).orElseThrow();
        return RENDERER.render(source, spec).subscribeOn(Schedulers.parallel()).block(Duration.ofSeconds(60));
    }

    static BufferedImage decode(Rendition rendition) throws IOException {
        BufferedImage image = ImageIO.read(new ByteArrayInputStream(rendition.bytes()));
        assertThat(image).as("decodable %s", rendition.contentType()).isNotNull();
        assertThat(image.getWidth()).isEqualTo(rendition.width());
        assertThat(image.getHeight()).isEqualTo(rendition.height());
        return image;
    }

    static GranaryException failure(Runnable call) {
        try {
            call.run();
        } catch (GranaryException expected) {
            return expected;
        }
        throw new AssertionError("no GranaryException");
    }

    @Test
    void fitModesGiveTheExpectedSizes() throws IOException {
        Path source = file(TestImages.encode(TestImages.photo(400, 300, 1), "jpeg"));
        assertThat(decode(render(source, "width=150&height=150")).getWidth()).isEqualTo(150);
        Rendition cover = render(source, "width=150&height=150&fit=cover&format=png");
        assertThat(cover.contentType()).isEqualTo("image/png");
        assertThat(new int[] {cover.width(), cover.height()}).containsExactly(150, 150);
        Rendition inside = render(source, "width=150&height=150&fit=inside");
        assertThat(new int[] {inside.width(), inside.height()}).containsExactly(150, 113);
        Rendition neverEnlarged = render(source, "width=1000&height=1000&fit=inside");
        assertThat(new int[] {neverEnlarged.width(), neverEnlarged.height()}).containsExactly(400, 300);
        assertThat(render(source, "width=800").width()).isEqualTo(400); // one side: inside by default
        Rendition enlarged = render(source, "width=800&fit=cover");
        assertThat(new int[] {enlarged.width(), enlarged.height()}).containsExactly(800, 600);
        Rendition fill = render(source, "width=100&height=200&fit=fill");
        assertThat(new int[] {fill.width(), fill.height()}).containsExactly(100, 200);
        Rendition dpr = render(source, "width=100&dpr=2&format=webp");
        assertThat(dpr.contentType()).isEqualTo("image/webp");
        assertThat(decode(dpr).getWidth()).isEqualTo(200);
        assertThat(render(source, "quality=50").contentType()).isEqualTo("image/jpeg"); // the source's format by default
    }

    @Test
    void containPadsTransparentOrWhite() throws IOException {
        Path source = file(TestImages.encode(TestImages.photo(400, 200, 2), "png"));
        BufferedImage png = decode(render(source, "width=100&height=100&fit=contain&format=png"));
        assertThat(new int[] {png.getWidth(), png.getHeight()}).containsExactly(100, 100);
        assertThat(png.getRGB(50, 5) >>> 24).as("padding is transparent").isZero();
        assertThat(png.getRGB(50, 50) >>> 24).isEqualTo(255);
        BufferedImage jpeg = decode(render(source, "width=100&height=100&fit=contain&format=jpeg"));
        assertThat(distance(jpeg.getRGB(50, 5), 0xFFFFFF)).as("padding is white").isLessThan(8);
    }

    @Test
    void coverKeepsTheFocalPoint() throws IOException {
        Path source = file(TestImages.encode(TestImages.quadrants(400, 100, BufferedImage.TYPE_INT_RGB), "png"));
        BufferedImage left = decode(render(source, "width=50&height=50&focal=0,50&format=png"));
        assertThat(distance(left.getRGB(25, 10), 0xFF0000)).isLessThan(8);
        BufferedImage right = decode(render(source, "width=50&height=50&focal=100,50&format=png"));
        assertThat(distance(right.getRGB(25, 10), 0x00FF00)).isLessThan(8);
    }

    /**
     * A camera stores the sensor's image and tags how to turn it: 6 means "rotate 90 degrees
     * clockwise to display", 8 counter-clockwise, 3 a half turn, 2 and 4 mirror it across, 5 and
     * 7 transpose it. Each case stores the upright quadrants image as such a camera would; the
     * rendition must be upright again.
     */
    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3, 4, 5, 6, 7, 8})
    void exifOrientationIsApplied(int orientation) throws IOException {
        BufferedImage upright = TestImages.quadrants(64, 32, BufferedImage.TYPE_INT_RGB);
        boolean turned = orientation >= 5;
        int w = upright.getWidth();
        int h = upright.getHeight();
        BufferedImage stored = new BufferedImage(turned ? h : w, turned ? w : h, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int[] at = switch (orientation) {
                    case 2 -> new int[] {w - 1 - x, y};
                    case 3 -> new int[] {w - 1 - x, h - 1 - y};
                    case 4 -> new int[] {x, h - 1 - y};
                    case 5 -> new int[] {y, x};
                    case 6 -> new int[] {y, w - 1 - x};
                    case 7 -> new int[] {h - 1 - y, w - 1 - x};
                    case 8 -> new int[] {h - 1 - y, x};
                    default -> new int[] {x, y};
                };
                stored.setRGB(at[0], at[1], upright.getRGB(x, y));
            }
        }
        Path source = file(TestImages.withSegments(TestImages.encode(stored, "jpeg"), TestImages.exif(orientation)));
        BufferedImage shown = decode(render(source, "format=png"));
        assertThat(new int[] {shown.getWidth(), shown.getHeight()}).containsExactly(64, 32);
        assertThat(distance(shown.getRGB(4, 4), 0xFF0000)).as("top left red").isLessThan(40);
        assertThat(distance(shown.getRGB(59, 4), 0x00FF00)).as("top right green").isLessThan(40);
        assertThat(distance(shown.getRGB(4, 27), 0x0000FF)).as("bottom left blue").isLessThan(40);
        assertThat(distance(shown.getRGB(59, 27), 0xFFFF00)).as("bottom right yellow").isLessThan(40);
        // Sized in displayed terms: 32 wide is half the upright width.
        Rendition half = render(source, "width=32&format=png");
        assertThat(new int[] {half.width(), half.height()}).containsExactly(32, 16);
    }

    @ParameterizedTest
    @ValueSource(strings = {"jpeg", "png", "webp"})
    void renditionsCarryNoMetadata(String format) throws IOException {
        byte[] jpeg = TestImages.withSegments(TestImages.encode(TestImages.photo(120, 80, 3), "jpeg"),
                TestImages.exif(6), TestImages.xmp(), TestImages.comment());
        Rendition rendition = render(file(jpeg), "width=60&format=" + format);
        assertThat(rendition.width()).isEqualTo(60);
        byte[] bytes = rendition.bytes();
        assertThat(contains(bytes, "Exif")).isFalse();
        assertThat(contains(bytes, "secret")).isFalse();
        assertThat(contains(bytes, "http://ns.adobe.com/xap")).isFalse();
        assertThat(contains(bytes, "XMP ")).isFalse();
        if (format.equals("jpeg")) {
            assertThat(markers(bytes)).doesNotContain(0xE1, 0xFE, 0xED);
        }
        if (format.equals("png")) {
            assertThat(contains(bytes, "tEXt") || contains(bytes, "iTXt") || contains(bytes, "zTXt") || contains(bytes, "eXIf")).isFalse();
        }
        decode(rendition);
    }

    @Test
    void webpSourcesDecodeAndTheirFormatIsKeptUnlessAutoRefusedIt() throws IOException {
        byte[] webp = render(file(TestImages.encode(TestImages.photo(200, 100, 4), "png")), "format=webp").bytes();
        Path source = file(webp);
        assertThat(RENDERER.probe(source).block()).isEqualTo(new ImageInfo("webp", 200, 100));
        assertThat(render(source, "width=50").contentType()).isEqualTo("image/webp");
        RenditionSpec legacy = RenditionSpec.parse(RenditionSpecTest.query("width=50&format=auto"), "image/png,*/*").orElseThrow();
        assertThat(RENDERER.render(source, legacy).block().contentType()).isEqualTo("image/jpeg");
    }

    @Test
    void tinyAndLargestImagesRender() throws IOException {
        BufferedImage one = new BufferedImage(1, 1, BufferedImage.TYPE_INT_RGB);
        one.setRGB(0, 0, 0x336699);
        Path pixel = file(TestImages.encode(one, "png"));
        assertThat(decode(render(pixel, "format=png")).getRGB(0, 0) & 0xFFFFFF).isEqualTo(0x336699);
        BufferedImage big = decode(render(pixel, "width=300&height=200&fit=fill&format=png"));
        assertThat(big.getRGB(150, 100) & 0xFFFFFF).isEqualTo(0x336699);
        assertThat(render(pixel, "width=150&height=150").width()).isEqualTo(150);

        Path large = file(TestImages.encode(TestImages.photo(4096, 4096, 5), "jpeg"));
        assertThat(RENDERER.probe(large).block()).isEqualTo(new ImageInfo("jpeg", 4096, 4096));
        Rendition whole = render(large, "width=4096&format=jpeg");
        assertThat(new int[] {whole.width(), whole.height()}).containsExactly(4096, 4096);
        assertThat(decode(render(large, "width=800&format=webp")).getWidth()).isEqualTo(800);
        Rendition thumb = render(large, "width=150&height=150");
        assertThat(new int[] {thumb.width(), thumb.height()}).containsExactly(150, 150);
    }

    @Test
    void aBombIsRefusedFromItsHeaderWithoutAllocatingItsPixels() throws IOException {
        Path bomb = file(TestImages.pngHeaderOnly(60_000, 60_000));
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        long before = threads.getCurrentThreadAllocatedBytes();
        RenditionSpec spec = RenditionSpec.parse(RenditionSpecTest.query("width=100"), null).orElseThrow();
        ImageProperties limits = ImageProperties.defaults();
        assertThatThrownBy(() -> RenderJob.probe(bomb, limits)).isInstanceOfSatisfying(GranaryException.class,
                e -> assertThat(e.code()).isEqualTo(ErrorCode.IMAGE_TOO_LARGE)).hasMessageContaining("60000 x 60000");
        assertThatThrownBy(() -> RenderJob.render(bomb, spec, limits, MemoryBudget.halfTheHeap(), new Job())).isInstanceOfSatisfying(GranaryException.class,
                e -> assertThat(e.code()).isEqualTo(ErrorCode.IMAGE_TOO_LARGE));
        assertThat(threads.getCurrentThreadAllocatedBytes() - before).as("bytes allocated").isLessThan(8L << 20);
        // Through the pool too.
        assertThat(failure(() -> RENDERER.probe(bomb).block()).code()).isEqualTo(ErrorCode.IMAGE_TOO_LARGE);
        assertThat(failure(() -> render(bomb, "width=100")).code()).isEqualTo(ErrorCode.IMAGE_TOO_LARGE);
    }

    @Test
    void theByteLimitIsCheckedFirst() throws IOException {
        PooledImageRenderer small = new PooledImageRenderer(new ImageProperties(50_000_000, DataSize.ofBytes(1000),
                DataSize.ofMegabytes(1), 1, 1, Duration.ofSeconds(10), 80, null));
        try {
            Path source = file(TestImages.encode(TestImages.photo(300, 300, 6), "png"));
            assertThat(failure(() -> small.probe(source).block()).getMessage()).contains("bytes");
        } finally {
            small.close();
        }
    }

    @Test
    void anOutputOverItsLimitIsRefused() throws IOException {
        PooledImageRenderer small = new PooledImageRenderer(new ImageProperties(50_000_000, DataSize.ofMegabytes(10),
                DataSize.ofBytes(2000), 1, 1, Duration.ofSeconds(10), 80, null));
        try {
            Path source = file(TestImages.encode(TestImages.photo(300, 300, 7), "png"));
            RenditionSpec spec = RenditionSpec.parse(RenditionSpecTest.query("format=png"), null).orElseThrow();
            GranaryException refused = failure(() -> small.render(source, spec).block());
            assertThat(refused.code()).isEqualTo(ErrorCode.IMAGE_TOO_LARGE);
            assertThat(refused.getMessage()).contains("2000 bytes");
        } finally {
            small.close();
        }
    }

    @Test
    void truncatedAndCorruptImagesAre422() throws IOException {
        byte[] jpeg = TestImages.encode(TestImages.photo(300, 300, 8), "jpeg");
        GranaryException truncated = failure(() -> render(uncheckedFile(Arrays.copyOf(jpeg, jpeg.length / 2)), "width=100"));
        assertThat(truncated.code()).isEqualTo(ErrorCode.IMAGE_CORRUPT);
        assertThat(truncated.code().status().value()).isEqualTo(422);
        byte[] png = TestImages.encode(TestImages.photo(300, 300, 8), "png");
        assertThat(failure(() -> render(uncheckedFile(Arrays.copyOf(png, png.length / 2)), "width=100")).code())
                .isEqualTo(ErrorCode.IMAGE_CORRUPT);
        assertThat(failure(() -> render(uncheckedFile(Arrays.copyOf(png, 20)), "width=100")).code())
                .isEqualTo(ErrorCode.IMAGE_CORRUPT);
    }

    @Test
    void nonImagesAndUndecodedFormatsAreToldApart() throws IOException {
        Path text = file("Hello, this is a text file.\n".getBytes(StandardCharsets.US_ASCII));
        assertThat(failure(() -> RENDERER.probe(text).block()).code()).isEqualTo(ErrorCode.NOT_AN_IMAGE);
        assertThat(failure(() -> render(text, "width=10")).code()).isEqualTo(ErrorCode.NOT_AN_IMAGE);
        assertThat(failure(() -> RENDERER.probe(uncheckedFile(new byte[0])).block()).code()).isEqualTo(ErrorCode.NOT_AN_IMAGE);
        Path svg = file("<?xml version=\"1.0\"?>\n<svg xmlns=\"http://www.w3.org/2000/svg\"><script>alert(1)</script></svg>"
                .getBytes(StandardCharsets.US_ASCII));
        GranaryException refused = failure(() -> render(svg, "width=10"));
        assertThat(refused.code()).isEqualTo(ErrorCode.IMAGE_FORMAT_UNSUPPORTED);
        assertThat(refused.getMessage()).contains("SVG");
        Path tiff = file(TestImages.encode(TestImages.photo(10, 10, 9), "tiff"));
        assertThat(failure(() -> RENDERER.probe(tiff).block()).getMessage()).contains("TIFF");
        byte[] avif = new byte[64];
        System.arraycopy("\0\0\0\u0020ftypavif".getBytes(StandardCharsets.ISO_8859_1), 0, avif, 0, 12);
        assertThat(failure(() -> RENDERER.probe(uncheckedFile(avif)).block()).code()).isEqualTo(ErrorCode.IMAGE_FORMAT_UNSUPPORTED);
        RenditionSpec avifOut = new RenditionSpec(10, null, null, null, ImageFormat.AVIF, null, 1, false);
        Path png = file(TestImages.encode(TestImages.photo(10, 10, 9), "png"));
        assertThat(failure(() -> RENDERER.render(png, avifOut).block()).getMessage()).contains("avif");
    }

    @Test
    void gifAndBmpRenderAsPng() throws IOException {
        for (String format : new String[] {"gif", "bmp"}) {
            Path source = file(TestImages.encode(TestImages.quadrants(40, 40, BufferedImage.TYPE_INT_RGB), format));
            assertThat(RENDERER.probe(source).block().format()).isEqualTo(format);
            Rendition rendition = render(source, "width=20");
            assertThat(rendition.contentType()).isEqualTo("image/png");
            assertThat(distance(decode(rendition).getRGB(2, 2), 0xFF0000)).isLessThan(8);
        }
    }

    @Test
    void animationsGiveTheirFirstFrame() throws IOException {
        javax.imageio.ImageWriter writer = ImageIO.getImageWritersByFormatName("gif").next();
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        try (javax.imageio.stream.ImageOutputStream stream = ImageIO.createImageOutputStream(out)) {
            writer.setOutput(stream);
            writer.prepareWriteSequence(null);
            for (int colour : new int[] {0xFF0000, 0x0000FF}) {
                BufferedImage frame = new BufferedImage(20, 20, BufferedImage.TYPE_INT_RGB);
                for (int y = 0; y < 20; y++) {
                    for (int x = 0; x < 20; x++) {
                        frame.setRGB(x, y, colour);
                    }
                }
                writer.writeToSequence(new javax.imageio.IIOImage(frame, null, null), null);
            }
            writer.endWriteSequence();
        }
        BufferedImage shown = decode(render(file(out.toByteArray()), "width=10"));
        assertThat(distance(shown.getRGB(5, 5), 0xFF0000)).isLessThan(8);
    }

    private Path uncheckedFile(byte[] bytes) {
        try {
            return file(bytes);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** The markers of a JPEG's segments before its first scan. */
    static java.util.List<Integer> markers(byte[] jpeg) {
        java.util.List<Integer> markers = new java.util.ArrayList<>();
        int at = 2;
        while (at + 4 <= jpeg.length && (jpeg[at] & 0xFF) == 0xFF) {
            int marker = jpeg[at + 1] & 0xFF;
            markers.add(marker);
            if (marker == 0xDA) {
                break;
            }
            at += 2 + ((jpeg[at + 2] & 0xFF) << 8 | jpeg[at + 3] & 0xFF);
        }
        return markers;
    }
}
