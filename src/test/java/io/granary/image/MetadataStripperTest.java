package io.granary.image;

import static io.granary.image.TestImages.contains;
import static org.assertj.core.api.Assertions.assertThat;

import io.granary.error.ErrorCode;
import io.granary.error.GranaryException;
import java.awt.image.BufferedImage;
import java.awt.image.DataBufferInt;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.zip.Deflater;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.scheduler.Schedulers;

class MetadataStripperTest {

    @TempDir
    Path dir;

    private byte[] strip(byte[] source) throws IOException {
        Path in = dir.resolve("in-" + System.nanoTime());
        Path out = dir.resolve("out-" + System.nanoTime());
        Files.write(in, source);
        ImageRendererTest.RENDERER.strip(in, out).subscribeOn(Schedulers.parallel()).block(Duration.ofSeconds(30));
        return Files.readAllBytes(out);
    }

    private GranaryException refused(byte[] source) {
        try {
            strip(source);
        } catch (GranaryException expected) {
            return expected;
        } catch (IOException e) {
            throw new AssertionError(e);
        }
        throw new AssertionError("not refused");
    }

    /** The decoded pixels as ARGB ints. */
    private static int[] pixels(byte[] image) throws IOException {
        BufferedImage decoded = ImageIO.read(new ByteArrayInputStream(image));
        BufferedImage argb = new BufferedImage(decoded.getWidth(), decoded.getHeight(), BufferedImage.TYPE_INT_ARGB);
        argb.getGraphics().drawImage(decoded, 0, 0, null);
        return ((DataBufferInt) argb.getRaster().getDataBuffer()).getData();
    }

    /** The bytes from the first scan's start marker on. */
    private static byte[] fromFirstScan(byte[] jpeg) {
        for (int i = 2; i < jpeg.length - 1; i++) {
            if ((jpeg[i] & 0xFF) == 0xFF && (jpeg[i + 1] & 0xFF) == 0xDA) {
                return Arrays.copyOfRange(jpeg, i, jpeg.length);
            }
        }
        throw new AssertionError("no scan");
    }

    @Test
    void jpegLosesExifGpsXmpAndCommentsAndKeepsItsCodedPixels() throws IOException {
        byte[] plain = TestImages.encode(TestImages.photo(160, 120, 11), "jpeg");
        byte[] tagged = TestImages.withSegments(plain, TestImages.exif(1), TestImages.xmp(), TestImages.comment(),
                TestImages.segment(0xED, "Photoshop 3.0\0secret-iptc".getBytes(StandardCharsets.ISO_8859_1)));
        byte[] stripped = strip(tagged);
        assertThat(ImageRendererTest.markers(stripped)).doesNotContain(0xE1, 0xED, 0xFE).contains(0xE0, 0xDB, 0xC0, 0xC4, 0xDA);
        assertThat(contains(stripped, "secret")).isFalse();
        assertThat(contains(stripped, "Exif")).isFalse();
        assertThat(contains(stripped, "http://ns.adobe.com/xap")).isFalse();
        assertThat(fromFirstScan(stripped)).isEqualTo(fromFirstScan(tagged));
        assertThat(pixels(stripped)).isEqualTo(pixels(tagged));
        assertThat(stripped).isEqualTo(plain); // what the JDK wrote before any metadata was added
    }

    @Test
    void jpegKeepsItsOrientationAloneSoItStillShowsUpright() throws IOException {
        byte[] tagged = TestImages.withSegments(TestImages.encode(TestImages.photo(80, 40, 12), "jpeg"), TestImages.exif(6));
        byte[] stripped = strip(tagged);
        assertThat(contains(stripped, "secret")).isFalse();
        assertThat(contains(stripped, "GPS")).isFalse();
        assertThat(JpegStripper.orientation(new ByteArrayInputStream(stripped))).isEqualTo(6);
        // Only the one tag is left: IFD0 with a single entry and no GPS pointer.
        assertThat(contains(stripped, new String(JpegStripper.orientationOnly(6), StandardCharsets.ISO_8859_1))).isTrue();
        Path source = dir.resolve("upright.jpg");
        Files.write(source, stripped);
        Rendition shown = ImageRendererTest.render(source, "format=png");
        assertThat(new int[] {shown.width(), shown.height()}).containsExactly(40, 80);
        assertThat(pixels(stripped)).isEqualTo(pixels(tagged));
    }

    @Test
    void jpegTrailersAndJunkAfterTheEndAreDropped() throws IOException {
        byte[] plain = TestImages.encode(TestImages.photo(40, 40, 13), "jpeg");
        byte[] trailer = Arrays.copyOf(plain, plain.length + 30);
        System.arraycopy("secret-trailer-after-EOI-bytes".getBytes(StandardCharsets.ISO_8859_1), 0, trailer, plain.length, 30);
        assertThat(strip(trailer)).isEqualTo(plain);
        assertThat(refused(Arrays.copyOf(plain, plain.length / 2)).code()).isEqualTo(ErrorCode.IMAGE_CORRUPT);
    }

    @Test
    void pngLosesTextExifAndTimeChunksAndKeepsItsPixelChunks() throws IOException {
        byte[] plain = TestImages.encode(TestImages.photo(64, 48, 14), "png");
        byte[] compressed = deflate("secret-ztxt".getBytes(StandardCharsets.ISO_8859_1));
        byte[] ztxt = new byte["Comment".length() + 2 + compressed.length];
        System.arraycopy("Comment".getBytes(StandardCharsets.ISO_8859_1), 0, ztxt, 0, 7);
        System.arraycopy(compressed, 0, ztxt, 9, compressed.length);
        byte[] tagged = TestImages.withChunks(plain,
                TestImages.chunk("tEXt", "Comment\0secret-text".getBytes(StandardCharsets.ISO_8859_1)),
                TestImages.chunk("zTXt", ztxt),
                TestImages.chunk("iTXt", "XML:com.adobe.xmp\0\0\0\0\0<x:xmpmeta>secret-xmp</x:xmpmeta>".getBytes(StandardCharsets.ISO_8859_1)),
                TestImages.chunk("eXIf", Arrays.copyOfRange(TestImages.exif(1), 10, TestImages.exif(1).length)),
                TestImages.chunk("tIME", new byte[] {0x07, (byte) 0xE9, 1, 2, 3, 4, 5}),
                TestImages.chunk("gAMA", new byte[] {0, 0, (byte) 0xB1, (byte) 0x8F}));
        byte[] stripped = strip(tagged);
        assertThat(chunkTypes(stripped)).doesNotContain("tEXt", "zTXt", "iTXt", "eXIf", "tIME").contains("IHDR", "gAMA", "IDAT", "IEND");
        assertThat(contains(stripped, "secret")).isFalse();
        assertThat(pixels(stripped)).isEqualTo(pixels(tagged));
        assertThat(refused(Arrays.copyOf(plain, plain.length - 6)).code()).isEqualTo(ErrorCode.IMAGE_CORRUPT);
    }

    @Test
    void webpLosesExifAndXmpChunksAndTheirFlags() throws IOException {
        Path png = dir.resolve("source.png");
        Files.write(png, TestImages.encode(TestImages.photo(50, 30, 15), "png"));
        byte[] simple = ImageRendererTest.render(png, "format=webp&quality=90").bytes();
        byte[] image = Arrays.copyOfRange(simple, 12, simple.length); // the VP8 chunk
        ByteBuffer vp8x = ByteBuffer.allocate(18).order(ByteOrder.LITTLE_ENDIAN);
        vp8x.put("VP8X".getBytes(StandardCharsets.ISO_8859_1)).putInt(10).put((byte) 0x0C).put(new byte[3]);
        vp8x.put(new byte[] {49, 0, 0, 29, 0, 0});
        byte[] exif = Arrays.copyOfRange(TestImages.exif(1), 10, TestImages.exif(1).length);
        byte[] xmp = "<x:xmpmeta>secret-xmp</x:xmpmeta>".getBytes(StandardCharsets.ISO_8859_1); // odd: padded
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.writeBytes("WEBP".getBytes(StandardCharsets.ISO_8859_1));
        body.writeBytes(vp8x.array());
        body.writeBytes(image);
        body.writeBytes(riffChunk("EXIF", exif));
        body.writeBytes(riffChunk("XMP ", xmp));
        ByteBuffer file = ByteBuffer.allocate(8 + body.size()).order(ByteOrder.LITTLE_ENDIAN);
        file.put("RIFF".getBytes(StandardCharsets.ISO_8859_1)).putInt(body.size()).put(body.toByteArray());
        byte[] tagged = file.array();

        byte[] stripped = strip(tagged);
        assertThat(contains(stripped, "secret")).isFalse();
        assertThat(contains(stripped, "EXIF")).isFalse();
        assertThat(contains(stripped, "XMP ")).isFalse();
        assertThat(ByteBuffer.wrap(stripped).order(ByteOrder.LITTLE_ENDIAN).getInt(4)).isEqualTo(stripped.length - 8);
        assertThat(stripped[20] & 0x0C).as("EXIF and XMP flags").isZero();
        assertThat(stripped).hasSize(12 + 18 + image.length);
        assertThat(pixels(stripped)).isEqualTo(pixels(tagged));
        // The simple format has nothing to strip and comes out as it went in.
        assertThat(strip(simple)).isEqualTo(simple);
    }

    @Test
    void otherFilesAreRefused() throws IOException {
        assertThat(refused(TestImages.encode(TestImages.photo(10, 10, 16), "gif")).code()).isEqualTo(ErrorCode.IMAGE_FORMAT_UNSUPPORTED);
        assertThat(refused("plain text".getBytes(StandardCharsets.US_ASCII)).code()).isEqualTo(ErrorCode.NOT_AN_IMAGE);
    }

    private static byte[] riffChunk(String name, byte[] data) {
        ByteBuffer chunk = ByteBuffer.allocate(8 + data.length + (data.length & 1)).order(ByteOrder.LITTLE_ENDIAN);
        chunk.put(name.getBytes(StandardCharsets.ISO_8859_1)).putInt(data.length).put(data);
        return chunk.array();
    }

    private static byte[] deflate(byte[] data) {
        Deflater deflater = new Deflater();
        deflater.setInput(data);
        deflater.finish();
        byte[] out = new byte[256];
        int n = deflater.deflate(out);
        return Arrays.copyOf(out, n);
    }

    private static List<String> chunkTypes(byte[] png) {
        List<String> types = new ArrayList<>();
        ByteBuffer buffer = ByteBuffer.wrap(png);
        int at = 8;
        while (at + 8 <= png.length) {
            int length = buffer.getInt(at);
            types.add(new String(png, at + 4, 4, StandardCharsets.ISO_8859_1));
            at += 12 + length;
        }
        return types;
    }
}
