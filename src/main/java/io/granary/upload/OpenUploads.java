package io.granary.upload;

import java.util.List;

/**
 * One page of a bucket's open multipart uploads, by key and then by start time
 * ({@link MultipartService#listOpen}).
 *
 * @param uploads the uploads not rolled up into a common prefix
 * @param prefixes the common prefixes (with a delimiter), each once
 * @param truncated whether more follow
 * @param nextKey when truncated, the key (or common prefix) the page ended with
 * @param nextUploadId when truncated and the page ended with an upload, its id; else {@code null}
 */
public record OpenUploads(List<MultipartUpload> uploads, List<String> prefixes, boolean truncated, String nextKey,
                          String nextUploadId) {

    /** At most this many uploads and prefixes a page. */
    public static final int MAX_PER_PAGE = 1000;
}
