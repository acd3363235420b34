package io.granary.image;

import io.granary.object.StoredObject;

/** Which object versions are images renditions can be made of, by their detected or declared type. */
final class ImageTypes {

    private ImageTypes() {
    }

    /** The version's image type: the detected one when it is an image, else the declared one. */
    static String of(StoredObject version) {
        return isImage(version.detectedType()) ? version.detectedType() : version.contentType();
    }

    /** Whether the version is an image by type, and not SVG (never rasterised). */
    static boolean renderable(StoredObject version) {
        String type = of(version);
        return isImage(type) && !type.startsWith("image/svg");
    }

    private static boolean isImage(String type) {
        return type != null && type.startsWith("image/");
    }
}
