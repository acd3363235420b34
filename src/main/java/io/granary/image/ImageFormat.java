package io.granary.image;

import java.util.Locale;

/**
 * The formats a rendition can be asked in. Granary encodes WebP, JPEG and PNG; {@link #AVIF} is a
 * valid name that is always refused with {@code 422 image_format_unsupported}, because no pure-Java
 * AVIF encoder is good enough to ship.
 */
public enum ImageFormat {
    WEBP("image/webp"),
    JPEG("image/jpeg"),
    PNG("image/png"),
    AVIF("image/avif");

    private final String contentType;

    ImageFormat(String contentType) {
        this.contentType = contentType;
    }

    /** The media type of this format's bytes. */
    public String contentType() {
        return contentType;
    }

    /** The lower-case name used in query parameters and canonical strings. */
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Whether the format keeps an alpha channel (JPEG's transparent pixels are flattened on white). */
    public boolean hasAlpha() {
        return this != JPEG;
    }

    /** Whether {@code quality} has an effect (PNG is lossless). */
    public boolean lossy() {
        return this != PNG;
    }
}
