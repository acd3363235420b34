package io.granary.image;

import io.granary.bucket.Bucket;
import io.granary.bucket.ImagePreset;
import io.granary.error.ErrorCode;
import io.granary.error.GranaryException;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/** Bucket presets as transforms: {@code ?preset=thumb} stands for the parameters stored under that name. */
final class Presets {

    /** The query parameter naming a preset. */
    static final String PARAMETER = "preset";

    private Presets() {
    }

    /**
     * The transform a preset names, as a request with {@code accept} asks for it.
     *
     * @throws GranaryException {@code 422 invalid_transform} for a preset the bucket does not have
     */
    static RenditionSpec spec(Bucket bucket, String name, String accept) {
        ImagePreset preset = bucket.presets().stream().filter(p -> p.name().equals(name)).findFirst()
                .orElseThrow(() -> new GranaryException(ErrorCode.INVALID_TRANSFORM, "The bucket has no preset '" + name + "'"
                        + (bucket.presets().isEmpty() ? "." : "; it has " + bucket.presets().stream().map(ImagePreset::name)
                                .collect(Collectors.joining(", ")) + ".")));
        return spec(preset, accept);
    }

    /** A preset's transform, checked as a URL's would be ({@link #transform}). */
    static RenditionSpec spec(ImagePreset preset, String accept) {
        return transform(preset.transform(), accept, "Preset '" + preset.name() + "'");
    }

    /**
     * A transform given as parameters outside a URL (a preset's, a signed URL's pin), checked as a
     * URL's would be: every parameter known and in range, and not the original as it is.
     * {@code what} names it in errors.
     */
    static RenditionSpec transform(Map<String, String> transform, String accept, String what) {
        Map<String, List<String>> query = transform.entrySet().stream()
                .collect(Collectors.toMap(Map.Entry::getKey, entry -> List.of(entry.getValue())));
        for (String name : query.keySet()) {
            if (!RenditionSpec.PARAMETERS.contains(name)) {
                throw new GranaryException(ErrorCode.INVALID_TRANSFORM, what + ": unknown parameter '" + name + "'.");
            }
        }
        return RenditionSpec.parse(query, accept).filter(parsed -> !parsed.original())
                .orElseThrow(() -> new GranaryException(ErrorCode.INVALID_TRANSFORM, what
                        + " must transform the image (strip=false alone is the original)."));
    }
}
