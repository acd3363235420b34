package io.granary.bucket;

import io.granary.error.ErrorCode;
import io.granary.error.GranaryException;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * A named image transform of a bucket, asked for as {@code ?preset=<name>}. What the transform
 * means is the image feature's to judge (it validates it before a preset is stored); here only
 * its shape.
 *
 * @param name {@code [a-z0-9_-]}, 1-32 characters
 * @param transform the transform's query parameters ({@code width}, {@code format}, ...), as in a URL
 * @param pregenerate whether each image uploaded to the bucket gets this rendition made in the
 *     background, before anyone asks for it (absent: no)
 */
public record ImagePreset(String name, Map<String, String> transform, Boolean pregenerate) {

    /** The most presets a bucket may have. */
    public static final int MAX_PRESETS = 20;
    private static final Pattern NAME = Pattern.compile("[a-z0-9_-]{1,32}");

    public ImagePreset {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new GranaryException(ErrorCode.INVALID_REQUEST,
                    "A preset's 'name' must be 1-32 characters of a-z, 0-9, '_' and '-'.");
        }
        if (transform == null || transform.isEmpty()) {
            throw new GranaryException(ErrorCode.INVALID_REQUEST, "Preset '" + name + "' needs a 'transform'.");
        }
        transform = Map.copyOf(transform);
        pregenerate = Boolean.TRUE.equals(pregenerate);
    }
}
