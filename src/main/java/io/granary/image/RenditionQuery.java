package io.granary.image;

import io.granary.bucket.Bucket;
import io.granary.error.ErrorCode;
import io.granary.error.GranaryException;
import io.granary.object.ObjectHttp;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * Which rendition an object read's query asks for: a transform ({@link RenditionSpec#PARAMETERS})
 * or one of the bucket's presets ({@code preset}). With either, every other parameter must be one
 * the object routes know, or the request is refused with 422 {@code invalid_transform}: a
 * misspelt {@code widht} is never silently dropped. Without one, the read is of the object.
 */
final class RenditionQuery {

    /** What the object read routes take besides a transform's parameters. */
    static final Set<String> ROUTE_PARAMETERS = Set.of(ObjectHttp.VERSION_PARAMETER, "token", "download", "redirect");

    private RenditionQuery() {
    }

    /**
     * The rendition asked for, as a function of the object's bucket (whose presets a name refers
     * to); empty for a read of the object itself ({@code strip=false} alone asks for the original).
     *
     * @throws GranaryException {@code 422 invalid_transform} for a parameter out of range or unknown
     */
    static Optional<Function<Bucket, RenditionSpec>> of(Map<String, List<String>> query, String accept) {
        boolean transform = query.keySet().stream().anyMatch(RenditionSpec.PARAMETERS::contains);
        if (query.containsKey(Presets.PARAMETER)) {
            requireKnown(query);
            if (transform || query.get(Presets.PARAMETER).size() != 1) {
                throw new GranaryException(ErrorCode.INVALID_TRANSFORM,
                        "'preset' names one preset and takes no other transform parameter.");
            }
            String name = query.get(Presets.PARAMETER).get(0);
            return Optional.of(bucket -> Presets.spec(bucket, name, accept));
        }
        if (!transform) {
            return Optional.empty();
        }
        requireKnown(query);
        RenditionSpec spec = RenditionSpec.parse(query, accept).orElseThrow();
        return spec.original() ? Optional.empty() : Optional.of(bucket -> spec);
    }

    private static void requireKnown(Map<String, List<String>> query) {
        for (String name : query.keySet()) {
            if (!RenditionSpec.PARAMETERS.contains(name) && !ROUTE_PARAMETERS.contains(name) && !Presets.PARAMETER.equals(name)) {
                throw new GranaryException(ErrorCode.INVALID_TRANSFORM, "Unknown parameter '" + name + "'; a transform takes "
                        + String.join(", ", RenditionSpec.PARAMETERS.stream().sorted().toList()) + " or preset.");
            }
        }
    }
}
