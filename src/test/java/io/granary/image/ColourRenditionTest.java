package io.granary.image;

import static io.granary.image.ImageRendererTest.decode;
import static io.granary.image.ImageRendererTest.render;
import static io.granary.image.TestImages.contains;
import static io.granary.image.TestImages.distance;
import static org.assertj.core.api.Assertions.assertThat;

import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ComponentColorModel;
import java.awt.image.DataBuffer;
import java.awt.image.WritableRaster;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Colour in renditions: CMYK, embedded ICC profiles, 16-bit and grey sources, alpha. */
class ColourRenditionTest {

    @TempDir
    Path dir;

    Path file(byte[] bytes) throws IOException {
        Path file = Files.createTempFile(dir, "source", ".bin");
        Files.write(file, bytes);
        return file;
    }

    @Test
    void cmykJpegIsConvertedToRgb() throws IOException {
        ColorSpace cmyk = com.twelvemonkeys.imageio.color.ColorSpaces.getColorSpace(
                com.twelvemonkeys.imageio.color.ColorSpaces.CS_GENERIC_CMYK);
        ComponentColorModel model = new ComponentColorModel(cmyk, false, false, java.awt.Transparency.OPAQUE, DataBuffer.TYPE_BYTE);
        WritableRaster raster = model.createCompatibleWritableRaster(32, 32);
        for (int y = 0; y < 32; y++) {
            for (int x = 0; x < 32; x++) {
                raster.setPixel(x, y, new int[] {0, 255, 255, 0}); // red: no cyan, full magenta and yellow
            }
        }
        BufferedImage image = new BufferedImage(model, raster, false, null);
        // The JDK's JPEG writer refuses CMYK; TwelveMonkeys' writes it (with an Adobe segment).
        javax.imageio.ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
        assertThat(writer.getClass().getName()).startsWith("com.twelvemonkeys.");
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        try (javax.imageio.stream.ImageOutputStream stream = ImageIO.createImageOutputStream(out)) {
            writer.setOutput(stream);
            writer.write(image);
        }
        BufferedImage shown = decode(render(file(out.toByteArray()), "format=png"));
        int rgb = shown.getRGB(16, 16);
        assertThat(rgb >> 16 & 0xFF).as("red").isGreaterThan(180);
        assertThat(rgb >> 8 & 0xFF).as("green").isLessThan(90);
        assertThat(rgb & 0xFF).as("blue").isLessThan(90);
    }

    @Test
    void jpegIccProfileIsConvertedToSrgb() throws IOException {
        // Grey 128 in linear RGB is about 188 in sRGB.
        BufferedImage grey = new BufferedImage(16, 16, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 16; y++) {
            for (int x = 0; x < 16; x++) {
                grey.setRGB(x, y, 0x808080);
            }
        }
        byte[] profile = java.awt.color.ICC_Profile.getInstance(ColorSpace.CS_LINEAR_RGB).getData();
        byte[] header = "ICC_PROFILE\0\1\1".getBytes(StandardCharsets.ISO_8859_1);
        byte[] payload = Arrays.copyOf(header, header.length + profile.length);
        System.arraycopy(profile, 0, payload, header.length, profile.length);
        byte[] jpeg = TestImages.withSegments(TestImages.encode(grey, "jpeg"), TestImages.segment(0xE2, payload));
        Rendition rendition = render(file(jpeg), "format=png");
        assertThat(distance(decode(rendition).getRGB(8, 8), 0xBCBCBC)).isLessThan(6);
        assertThat(contains(rendition.bytes(), "iCCP")).as("no profile left: the pixels are sRGB").isFalse();
    }

    @Test
    void pngAndWebpIccProfilesAreConvertedToSrgb() throws IOException {
        // Grey 128 in linear RGB is about 188 in sRGB.
        BufferedImage grey = new BufferedImage(16, 16, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 16; y++) {
            for (int x = 0; x < 16; x++) {
                grey.setRGB(x, y, 0x808080);
            }
        }
        byte[] profile = java.awt.color.ICC_Profile.getInstance(ColorSpace.CS_LINEAR_RGB).getData();
        java.util.zip.Deflater deflater = new java.util.zip.Deflater();
        deflater.setInput(profile);
        deflater.finish();
        byte[] compressed = new byte[profile.length + 1024];
        int length = deflater.deflate(compressed);
        byte[] iccp = new byte[6 + length];
        System.arraycopy("linear\0".getBytes(StandardCharsets.ISO_8859_1), 0, iccp, 0, 7);
        System.arraycopy(compressed, 0, iccp, 8, length - 2);
        iccp = Arrays.copyOf("linear\0\0".getBytes(StandardCharsets.ISO_8859_1), 8 + length);
        System.arraycopy(compressed, 0, iccp, 8, length);
        byte[] png = TestImages.withChunks(TestImages.encode(grey, "png"), TestImages.chunk("iCCP", iccp));
        for (String format : new String[] {"png", "jpeg", "webp"}) {
            assertThat(distance(decode(render(file(png), "format=" + format + "&quality=95")).getRGB(8, 8), 0xBCBCBC))
                    .as(format).isLessThan(6);
        }
        // An sRGB chunk says the pixels are sRGB whatever else is there.
        byte[] srgb = TestImages.withChunks(TestImages.encode(grey, "png"), TestImages.chunk("sRGB", new byte[1]), TestImages.chunk("iCCP", iccp));
        assertThat(distance(decode(render(file(srgb), "format=png")).getRGB(8, 8), 0x808080)).isLessThan(2);
        // A broken profile is ignored.
        byte[] broken = TestImages.withChunks(TestImages.encode(grey, "png"), TestImages.chunk("iCCP", Arrays.copyOf(iccp, 20)));
        assertThat(distance(decode(render(file(broken), "format=png")).getRGB(8, 8), 0x808080)).isLessThan(2);

        // WebP: VP8X with the ICC flag, then ICCP, then the image.
        byte[] simple = render(file(TestImages.encode(grey, "png")), "format=webp&quality=100").bytes();
        java.io.ByteArrayOutputStream body = new java.io.ByteArrayOutputStream();
        body.writeBytes("WEBP".getBytes(StandardCharsets.ISO_8859_1));
        java.nio.ByteBuffer vp8x = java.nio.ByteBuffer.allocate(18).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        vp8x.put("VP8X".getBytes(StandardCharsets.ISO_8859_1)).putInt(10).put((byte) 0x20).put(new byte[3]).put(new byte[] {15, 0, 0, 15, 0, 0});
        body.writeBytes(vp8x.array());
        java.nio.ByteBuffer chunk = java.nio.ByteBuffer.allocate(8 + profile.length + (profile.length & 1)).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        chunk.put("ICCP".getBytes(StandardCharsets.ISO_8859_1)).putInt(profile.length).put(profile);
        body.writeBytes(chunk.array());
        body.write(simple, 12, simple.length - 12);
        java.nio.ByteBuffer webp = java.nio.ByteBuffer.allocate(8 + body.size()).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        webp.put("RIFF".getBytes(StandardCharsets.ISO_8859_1)).putInt(body.size()).put(body.toByteArray());
        assertThat(distance(decode(render(file(webp.array()), "format=png")).getRGB(8, 8), 0xBCBCBC)).isLessThan(6);
    }

    @Test
    void sixteenBitPngAndGreyscaleKeepTheirTones() throws IOException {
        BufferedImage deep = new BufferedImage(40, 40, BufferedImage.TYPE_USHORT_GRAY);
        for (int y = 0; y < 40; y++) {
            for (int x = 0; x < 40; x++) {
                deep.getRaster().setSample(x, y, 0, 100 * 257);
            }
        }
        BufferedImage deepShown = decode(render(file(TestImages.encode(deep, "png")), "width=20&format=png"));
        assertThat(distance(deepShown.getRGB(10, 10), 0x646464)).as("grey 100 stays 100 (not brightened as linear grey)").isLessThan(2);

        ColorSpace srgb = ColorSpace.getInstance(ColorSpace.CS_sRGB);
        ComponentColorModel model = new ComponentColorModel(srgb, true, false, java.awt.Transparency.TRANSLUCENT, DataBuffer.TYPE_USHORT);
        WritableRaster raster = model.createCompatibleWritableRaster(40, 40);
        for (int y = 0; y < 40; y++) {
            for (int x = 0; x < 40; x++) {
                raster.setPixel(x, y, new int[] {200 * 257, 50 * 257, 10 * 257, 65535});
            }
        }
        BufferedImage rgba16 = new BufferedImage(model, raster, false, null);
        BufferedImage rgbaShown = decode(render(file(TestImages.encode(rgba16, "png")), "width=10&format=jpeg"));
        assertThat(distance(rgbaShown.getRGB(5, 5), 0xC8320A)).isLessThan(8);

        BufferedImage grey = new BufferedImage(40, 40, BufferedImage.TYPE_BYTE_GRAY);
        for (int y = 0; y < 40; y++) {
            for (int x = 0; x < 40; x++) {
                grey.getRaster().setSample(x, y, 0, 60);
            }
        }
        for (String format : new String[] {"jpeg", "png", "webp"}) {
            BufferedImage shown = decode(render(file(TestImages.encode(grey, "png")), "width=20&format=" + format));
            assertThat(distance(shown.getRGB(10, 10), 0x3C3C3C)).as(format).isLessThan(4);
        }
        BufferedImage greyJpeg = decode(render(file(TestImages.encode(grey, "jpeg")), "width=20&format=png"));
        assertThat(distance(greyJpeg.getRGB(10, 10), 0x3C3C3C)).isLessThan(4);
    }

    @Test
    void alphaIsFlattenedOnWhiteForJpegAndKeptForPngAndWebp() throws IOException {
        BufferedImage image = new BufferedImage(40, 40, BufferedImage.TYPE_INT_ARGB);
        for (int y = 0; y < 40; y++) {
            for (int x = 0; x < 40; x++) {
                image.setRGB(x, y, x < 20 ? 0x00000000 : 0x800000FF); // transparent | half-transparent blue
            }
        }
        Path source = file(TestImages.encode(image, "png"));
        BufferedImage jpeg = decode(render(source, "format=jpeg"));
        assertThat(distance(jpeg.getRGB(5, 20), 0xFFFFFF)).as("transparent becomes white").isLessThan(6);
        assertThat(distance(jpeg.getRGB(35, 20), 0x7F7FFF)).as("half blue on white").isLessThan(10);
        BufferedImage png = decode(render(source, "width=20&format=png"));
        assertThat(png.getRGB(2, 10) >>> 24).isZero();
        assertThat(png.getRGB(17, 10)).isEqualTo(0x800000FF);
        BufferedImage webp = decode(render(source, "width=20&format=webp&quality=90"));
        assertThat(webp.getRGB(2, 10) >>> 24).isLessThan(8);
        assertThat(Math.abs((webp.getRGB(17, 10) >>> 24) - 0x80)).isLessThan(8);
        // No format asked: the source's format, PNG.
        assertThat(render(source, "width=20").contentType()).isEqualTo("image/png");
    }
}
