package io.granary.image;

import io.granary.error.ErrorCode;
import io.granary.error.GranaryException;
import io.granary.security.signed.TransformValidator;
import java.util.Map;
import org.springframework.stereotype.Component;

/**
 * Judges the transform a signed URL is pinned to as a URL's own parameters would be: one of the
 * bucket's presets by name alone, or transform parameters that make a rendition.
 */
@Component
class SignedTransforms implements TransformValidator {

    @Override
    public void validate(Map<String, String> transform) {
        if (transform.containsKey(Presets.PARAMETER)) {
            if (transform.size() != 1) {
                throw new GranaryException(ErrorCode.INVALID_TRANSFORM,
                        "'preset' names one preset and takes no other transform parameter.");
            }
            return; // whether the bucket has it is judged when the URL is used, as presets may change
        }
        Presets.transform(transform, null, "The signed URL's transform");
    }
}
