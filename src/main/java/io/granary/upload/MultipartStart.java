package io.granary.upload;

import com.fasterxml.jackson.annotation.JsonIgnore;
import java.util.Map;

/**
 * What a client declares when starting a multipart upload ({@link MultipartService#start}): the
 * key, how the object is to be served, and its tags ({@code null} for none), all carried to the
 * completed object; and the checksum its parts and the object are to get ({@code null} for none:
 * the S3 API chooses one, the REST API, which reads this record from JSON, does not).
 */
public record MultipartStart(String key, String contentType, String cacheControl, Map<String, String> metadata,
                             Map<String, String> tags, @JsonIgnore MultipartChecksum checksum) {

    /** A start without tags or checksum. */
    public MultipartStart(String key, String contentType, String cacheControl, Map<String, String> metadata) {
        this(key, contentType, cacheControl, metadata, null, null);
    }

    /** A start without checksum. */
    public MultipartStart(String key, String contentType, String cacheControl, Map<String, String> metadata,
                          Map<String, String> tags) {
        this(key, contentType, cacheControl, metadata, tags, null);
    }
}
