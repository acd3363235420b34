package io.granary.image;

import java.nio.file.Path;
import java.time.Duration;

/**
 * Renders one file in a JVM of its own, for {@link LargestImageTest}: the heap limit is the
 * launching test's choice. Prints the rendition's size and dimensions, exits 0 on success.
 */
final class LargestImageRender {

    public static void main(String[] args) {
        try (PooledImageRenderer renderer = new PooledImageRenderer(ImageProperties.defaults())) {
            RenditionSpec spec = new RenditionSpec(4096, null, null, null, ImageFormat.WEBP, null, 1, false);
            Rendition rendition = renderer.render(Path.of(args[0]), spec).block(Duration.ofMinutes(2));
            System.out.println("rendition " + rendition.width() + "x" + rendition.height() + " " + rendition.bytes().length
                    + " bytes, max heap " + Runtime.getRuntime().maxMemory() / (1 << 20) + " MiB");
        }
    }
}
