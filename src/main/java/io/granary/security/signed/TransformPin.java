package io.granary.security.signed;

import io.granary.error.ErrorCode;
import io.granary.error.GranaryException;
import io.granary.security.Principal;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * The image transform a signed GET URL may be pinned to, as the issuer chose it: the URL then
 * serves that one rendition and nothing else, not the original and not another size. The pin is
 * the transform's query parameters in one normal form ({@code name=value} sorted by name, joined
 * with {@code &}), carried in the signed token; a URL without a pin allows any transform.
 */
public final class TransformPin {

    /** The query parameters a transform is made of, a preset's name included. */
    public static final Set<String> PARAMETERS = Set.of("width", "height", "fit", "focal", "format", "quality", "dpr", "strip",
            "preset");

    private TransformPin() {
    }

    /** The normal form of {@code transform} (only {@link #PARAMETERS} are read). */
    public static String of(Map<String, String> transform) {
        return new TreeMap<>(transform).entrySet().stream()
                .filter(entry -> PARAMETERS.contains(entry.getKey()))
                .map(entry -> entry.getKey() + "=" + entry.getValue())
                .collect(Collectors.joining("&"));
    }

    /**
     * Refuses a read whose transform parameters are not exactly those its signed URL was pinned
     * to ({@code 403 signed_url_mismatch}); any other reader, and unpinned URLs, pass.
     */
    public static void require(Principal reader, Map<String, List<String>> query) {
        if (!(reader instanceof Principal.Grant grant) || grant.transform() == null) {
            return;
        }
        Map<String, String> asked = new TreeMap<>();
        query.forEach((name, values) -> {
            if (PARAMETERS.contains(name)) {
                asked.put(name, values.size() == 1 ? values.get(0) : String.join(",", values) + "(" + values.size() + ")");
            }
        });
        if (!of(asked).equals(grant.transform())) {
            throw new GranaryException(ErrorCode.SIGNED_URL_MISMATCH,
                    "This URL serves one rendition (" + grant.transform() + "); use it exactly as issued.");
        }
    }
}
