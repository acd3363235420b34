package io.granary.image;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.Color;
import java.awt.GradientPaint;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The largest image Granary renders by default (50 MP, a JPEG) into the largest rendition
 * (4096 px WebP) in a JVM with a 256 MiB heap: the memory budget (half the heap) makes the
 * decoder work in bands instead of holding the whole image, so it finishes instead of running
 * out of memory.
 */
class LargestImageTest {

    @TempDir
    Path dir;

    @Test
    void aFiftyMegapixelJpegRendersIn256MiBOfHeap() throws Exception {
        int width = 8660;
        int height = 5773; // 49,994,180 pixels: just under the default limit of 50,000,000
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_3BYTE_BGR);
        Graphics2D g = image.createGraphics();
        g.setPaint(new GradientPaint(0, 0, Color.YELLOW, width, height, Color.MAGENTA));
        g.fillRect(0, 0, width, height);
        g.dispose();
        File source = dir.resolve("fifty.jpg").toFile();
        ImageIO.write(image, "jpg", source);
        image = null;

        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process process = new ProcessBuilder(List.of(java, "-Xmx256m", "-cp", System.getProperty("java.class.path"),
                LargestImageRender.class.getName(), source.getPath()))
                .redirectErrorStream(true).start();
        boolean finished = process.waitFor(3, TimeUnit.MINUTES);
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!finished) {
            process.destroyForcibly();
        }
        assertThat(finished).as("finished within three minutes: %s", output).isTrue();
        assertThat(process.exitValue()).as(output).isZero();
        assertThat(output).contains("rendition 4096x2731").contains("max heap 256 MiB");
    }
}
