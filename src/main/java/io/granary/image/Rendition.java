package io.granary.image;

/**
 * One encoded rendition, held in memory: its size is bounded by {@code granary.images.max-output-bytes}.
 *
 * @param bytes the encoded image, without any metadata
 * @param contentType its media type ({@code image/webp}, {@code image/jpeg}, {@code image/png})
 * @param width its width in pixels
 * @param height its height in pixels
 */
public record Rendition(byte[] bytes, String contentType, int width, int height) {
}
