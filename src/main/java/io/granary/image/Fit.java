package io.granary.image;

/**
 * How a rendition fits a {@code width} x {@code height} box. With only one of the two given, the
 * other follows the source's aspect ratio and every fit but {@link #INSIDE} scales to it exactly.
 */
public enum Fit {
    /** Fills the box exactly, cropping what overflows around the {@link Focal} point; may enlarge. Default with both sides. */
    COVER,
    /** The whole image, as large as fits in the box, centred on a padding that makes the box exact
     *  (transparent in WebP and PNG, white in JPEG); may enlarge. */
    CONTAIN,
    /** Stretched to the box exactly, aspect ratio not kept; may enlarge. */
    FILL,
    /** The whole image, as large as fits in the box but never larger than the source; no padding. Default with one side or none. */
    INSIDE
}
