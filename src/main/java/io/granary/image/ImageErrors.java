package io.granary.image;

import io.granary.error.ErrorCode;
import io.granary.error.GranaryException;
import java.util.Map;

/** The renderer's refusals, worded once. */
final class ImageErrors {

    private ImageErrors() {
    }

    static GranaryException notAnImage() {
        return new GranaryException(ErrorCode.NOT_AN_IMAGE, "The object's bytes are not an image Granary recognises.");
    }

    static GranaryException unsupported(String what) {
        return new GranaryException(ErrorCode.IMAGE_FORMAT_UNSUPPORTED, what);
    }

    static GranaryException corrupt(String why) {
        return new GranaryException(ErrorCode.IMAGE_CORRUPT, "The image is truncated or corrupt: " + why);
    }

    static GranaryException tooLarge(String why) {
        return new GranaryException(ErrorCode.IMAGE_TOO_LARGE, why);
    }

    static GranaryException busy(long retryAfterSeconds) {
        return new GranaryException(ErrorCode.RENDERER_BUSY, "Every image worker is busy; retry in " + retryAfterSeconds + " s.",
                Map.of("Retry-After", Long.toString(retryAfterSeconds)));
    }

    static GranaryException timeout(long seconds) {
        return new GranaryException(ErrorCode.RENDER_TIMEOUT, "The image transform took more than " + seconds
                + " s and was abandoned.", Map.of("Retry-After", "1"));
    }
}
