package io.granary.upload;

import io.granary.storage.StoredPart;
import java.util.List;

/** An upload and the parts it holds (ascending), as {@link MultipartService#listParts} answers. */
public record PartListing(MultipartUpload upload, List<StoredPart> parts) {
}
