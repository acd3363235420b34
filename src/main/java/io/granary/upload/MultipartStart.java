package io.granary.upload;

import java.util.Map;

/**
 * What a client declares when starting a multipart upload ({@link MultipartService#start}): the
 * key, how the object is to be served, and its tags ({@code null} for none), all carried to the
 * completed object.
 */
public record MultipartStart(String key, String contentType, String cacheControl, Map<String, String> metadata,
                             Map<String, String> tags) {

    /** A start without tags. */
    public MultipartStart(String key, String contentType, String cacheControl, Map<String, String> metadata) {
        this(key, contentType, cacheControl, metadata, null);
    }
}
