package io.granary.image;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A validated transform request. Built by {@link #parse} from a query (or directly, for presets).
 *
 * <p>Three kinds of request: {@linkplain #original() the original as it is} ({@code strip=false}
 * alone), {@linkplain #stripOnly() the original without its metadata} ({@code strip=true} alone:
 * no re-encoding), and a rendition (any other parameter: decoded, oriented, resized, re-encoded,
 * always without metadata, whatever {@code strip} says).
 *
 * @param width the asked width, 1-4096, before {@code dpr}; {@code null} when not asked
 * @param height the asked height, 1-4096, before {@code dpr}; {@code null} when not asked
 * @param fit how the image fits the box ({@code cover} by default with both sides, else {@code inside})
 * @param focal the point {@link Fit#COVER} keeps in frame; the centre by default
 * @param format the output format; {@code null} keeps the source's (JPEG, PNG or WebP; any other
 *     source becomes PNG), except that with {@code variesByAccept} a WebP source becomes PNG if it
 *     has alpha, else JPEG, since the client did not accept WebP
 * @param quality the lossy encoders' quality, 1-100; {@code null} for PNG and when nothing is re-encoded
 * @param dpr device pixel ratio, 1-4: multiplies width and height (see {@link #targetWidth()})
 * @param strip whether {@code strip=true} was asked (renditions are stripped anyway)
 * @param variesByAccept whether the format was chosen from {@code Accept} ({@code format=auto}):
 *     the response must carry {@code Vary: Accept}
 */
public record RenditionSpec(Integer width, Integer height, Fit fit, Focal focal, ImageFormat format, Integer quality,
                            int dpr, boolean strip, boolean variesByAccept) {

    /** The largest width and height of a rendition, also after {@code dpr}. */
    public static final int MAX_SIDE = 4096;
    /** The quality of lossy renditions when none is asked. */
    public static final int DEFAULT_QUALITY = 80;
    /** Parameters this type reads from a query ({@code preset} is resolved by the caller before {@link #parse}). */
    public static final Set<String> PARAMETERS = Set.of("width", "height", "fit", "focal", "format", "quality", "dpr", "strip");

    public RenditionSpec {
        if (width != null && (width < 1 || width > MAX_SIDE) || height != null && (height < 1 || height > MAX_SIDE)) {
            throw new IllegalArgumentException("width and height must be from 1 to " + MAX_SIDE);
        }
        if (quality != null && (quality < 1 || quality > 100) || dpr < 1 || dpr > 4) {
            throw new IllegalArgumentException("quality must be from 1 to 100 and dpr from 1 to 4");
        }
        fit = fit != null ? fit : width != null && height != null ? Fit.COVER : Fit.INSIDE;
        focal = focal != null ? focal : Focal.CENTRE;
        if (quality == null && (width != null || height != null || format != null)) {
            quality = DEFAULT_QUALITY;
        }
        quality = format != null && !format.lossy() ? null : quality;
    }

    /** A rendition that was not chosen from {@code Accept} (for presets and tests). */
    public RenditionSpec(Integer width, Integer height, Fit fit, Focal focal, ImageFormat format, Integer quality,
                         int dpr, boolean strip) {
        this(width, height, fit, focal, format, quality, dpr, strip, false);
    }

    /**
     * Parses the transform parameters of a query (name to values; other names are ignored: the
     * caller rejects unknown ones) and the request's {@code Accept} header for {@code format=auto}.
     * Lossy renditions get {@link #DEFAULT_QUALITY} unless {@code quality} is given.
     *
     * @return empty when none of {@link #PARAMETERS} is present
     * @throws io.granary.error.GranaryException {@code 422 invalid_transform} naming the parameter
     *     and its allowed values for a value out of range or a parameter given twice;
     *     {@code 422 image_format_unsupported} for {@code format=avif}
     */
    public static Optional<RenditionSpec> parse(Map<String, List<String>> query, String accept) {
        return parse(query, accept, DEFAULT_QUALITY);
    }

    /** {@link #parse(Map, String)} with another default quality ({@code granary.images.default-quality}). */
    public static Optional<RenditionSpec> parse(Map<String, List<String>> query, String accept, int defaultQuality) {
        return SpecParser.parse(query, accept, defaultQuality);
    }

    /** Whether only {@code strip=false} was asked: the original, as it is. */
    public boolean original() {
        return !strip && isBare();
    }

    /** Whether only {@code strip=true} was asked: the original's bytes without metadata, not re-encoded. */
    public boolean stripOnly() {
        return strip && isBare();
    }

    /** Whether pixels are decoded and encoded again (neither {@link #original()} nor {@link #stripOnly()}). */
    public boolean rendition() {
        return !isBare();
    }

    /** The width to render, {@code dpr} applied; {@code null} when not asked. See {@link #targetHeight()}. */
    public Integer targetWidth() {
        return scaled(width);
    }

    /**
     * The height to render, {@code dpr} applied. When that takes a side past {@link #MAX_SIDE}, both
     * sides are scaled by the same lesser factor, so the box keeps its aspect ratio.
     */
    public Integer targetHeight() {
        return scaled(height);
    }

    /**
     * A stable string naming every effective parameter, defaults resolved, {@code dpr} folded into
     * the sizes: e.g. {@code w=800;h=;fit=inside;focal=;fmt=webp;q=80;strip=1}. Requests with equal
     * strings get the same bytes from the same source, and requests that differ only in ways that
     * cannot change the bytes (a {@code dpr} against the equivalent size, a focal point without
     * {@code cover}, {@code strip} on a rendition, a quality for PNG) get equal strings.
     */
    public String canonical() {
        if (original()) {
            return "original";
        }
        if (stripOnly()) {
            return "strip=1";
        }
        Integer w = targetWidth();
        Integer h = targetHeight();
        boolean box = w != null && h != null;
        String fitName = w == null && h == null ? "" : !box && fit != Fit.INSIDE ? "cover" : fit.name().toLowerCase();
        String focalName = box && fit == Fit.COVER ? focal.x() + "," + focal.y() : "";
        String formatName = format != null ? format.wireName() : variesByAccept ? "nowebp" : "";
        return "w=" + orEmpty(w) + ";h=" + orEmpty(h) + ";fit=" + fitName + ";focal=" + focalName
                + ";fmt=" + formatName + ";q=" + orEmpty(quality) + ";strip=1";
    }

    private boolean isBare() {
        return width == null && height == null && format == null && quality == null && !variesByAccept;
    }

    private Integer scaled(Integer side) {
        if (side == null) {
            return null;
        }
        int longest = Math.max(width == null ? 0 : width, height == null ? 0 : height);
        if ((long) longest * dpr <= MAX_SIDE) {
            return side * dpr;
        }
        return Math.max(1, (int) Math.round((double) side * MAX_SIDE / longest));
    }

    private static String orEmpty(Integer value) {
        return value == null ? "" : value.toString();
    }
}
