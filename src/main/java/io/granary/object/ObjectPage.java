package io.granary.object;

import java.util.List;

/**
 * One page of a listing.
 *
 * @param objects objects in key order
 * @param prefixes common prefixes (when a delimiter was given), in key order
 * @param nextCursor opaque cursor for the next page, or {@code null} at the end
 */
public record ObjectPage(List<StoredObject> objects, List<String> prefixes, String nextCursor) {
}
