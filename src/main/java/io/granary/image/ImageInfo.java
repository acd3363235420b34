package io.granary.image;

/**
 * What an image's header says, read without decoding any pixel.
 *
 * @param format the source format's lower-case name: {@code jpeg}, {@code png}, {@code webp}, {@code gif} or {@code bmp}
 * @param width stored width in pixels (before EXIF orientation is applied)
 * @param height stored height in pixels (before EXIF orientation is applied)
 */
public record ImageInfo(String format, int width, int height) {
}
