package io.granary.security.signed;

import java.util.Map;

/**
 * Judges a transform a signed URL is to be pinned to before the URL is issued, so a pinned URL
 * never names a rendition that cannot be made. The image feature provides it.
 */
public interface TransformValidator {

    /** Throws a {@code 422 invalid_transform} naming what is wrong; returns when the transform is one Granary can make. */
    void validate(Map<String, String> transform);
}
