package io.granary.image;

import java.nio.file.Path;
import reactor.core.publisher.Mono;

/**
 * Renders images off the event loops, on a bounded pool of worker threads. Every method reads a
 * local file (the caller fetches the object into one) and may be called from any thread: the
 * work never runs on the caller's, and the result is delivered on Reactor's parallel scheduler.
 *
 * <p>Every method fails with {@code 503 renderer_busy} (and {@code Retry-After}) when the pool
 * and its short queue are full, and with {@code 503 render_timeout} past
 * {@code granary.images.timeout}; a cancelled subscription abandons the work.
 */
public interface ImageRenderer {

    /**
     * Reads only the header of the file: its format and dimensions. Fails with
     * {@code 422 not_an_image} for a file that is no image, {@code 422 image_format_unsupported}
     * for an image format it cannot decode (TIFF, HEIF, AVIF, SVG, ...), {@code 422 image_too_large}
     * above the pixel or byte limit, {@code 422 image_corrupt} for an unreadable header; all
     * before any pixel is decoded.
     */
    Mono<ImageInfo> probe(Path source);

    /**
     * Renders {@code spec} from the file: EXIF orientation applied, all metadata left out (EXIF,
     * GPS, XMP, comments), embedded ICC profiles (JPEG, PNG, WebP) converted to sRGB, the first frame of an
     * animation, alpha flattened on white for JPEG. Fails as {@link #probe} does, and with
     * {@code 422 image_corrupt} for truncated or corrupt pixels, {@code 422 image_too_large} for
     * a rendition over {@code granary.images.max-output-bytes}, {@code 422 image_format_unsupported}
     * for AVIF. A spec that is not a {@linkplain RenditionSpec#rendition() rendition} is rendered
     * in the source's format at its size (at most 4096 on a side).
     */
    Mono<Rendition> render(Path source, RenditionSpec spec);

    /**
     * Copies a JPEG, PNG or WebP to {@code target} without its metadata (EXIF, GPS, XMP, IPTC,
     * comments, text chunks) and without re-encoding its pixels, for {@code strip=true} on
     * originals. A JPEG keeps its EXIF orientation, alone, so it still shows upright. Fails with
     * {@code 422 image_format_unsupported} for other images, {@code 422 not_an_image} for
     * non-images, {@code 422 image_corrupt} for a truncated file; {@code target} is then left
     * incomplete and the caller deletes it.
     */
    Mono<Void> strip(Path source, Path target);
}
