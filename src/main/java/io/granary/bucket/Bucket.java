package io.granary.bucket;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.springframework.data.annotation.Id;
import org.springframework.data.mongodb.core.mapping.Document;
import org.springframework.util.MimeType;

/**
 * A bucket of one tenant.
 *
 * @param visibility {@code private} or {@code public}
 * @param maxObjectSize largest accepted object in bytes, or {@code null} for no limit
 * @param allowedContentTypes accepted media ranges such as {@code image/*}, or {@code null} for any
 * @param quotaBytes most bytes the bucket may hold, or {@code null} for no limit
 * @param quotaObjects most objects the bucket may hold, or {@code null} for no limit
 * @param redirectDownloads answer GETs with a redirect to a presigned store URL by default
 * @param cacheControl {@code Cache-Control} served with objects that have none of their own,
 *     or {@code null}
 * @param cors the bucket's CORS rules in the order they are tried, or {@code null} for none
 * @param imagePresets the bucket's named image transforms, or {@code null} for none
 * @param lifecycleRules what the lifecycle job deletes, or {@code null} for nothing
 */
@Document("buckets")
public record Bucket(
        @Id String id,
        String tenantId,
        String name,
        String visibility,
        Long maxObjectSize,
        List<String> allowedContentTypes,
        Instant createdAt,
        Long quotaBytes,
        Long quotaObjects,
        Boolean redirectDownloads,
        String cacheControl,
        List<CorsRule> cors,
        List<ImagePreset> imagePresets,
        List<LifecycleRule> lifecycleRules) {

    /** This bucket with the given stored fields replaced (as a partial update leaves it). */
    @SuppressWarnings("unchecked")
    Bucket with(Map<String, Object> fields) {
        return new Bucket(id, tenantId, name,
                (String) fields.getOrDefault("visibility", visibility),
                (Long) fields.getOrDefault("maxObjectSize", maxObjectSize),
                (List<String>) fields.getOrDefault("allowedContentTypes", allowedContentTypes),
                createdAt,
                (Long) fields.getOrDefault("quotaBytes", quotaBytes),
                (Long) fields.getOrDefault("quotaObjects", quotaObjects),
                (Boolean) fields.getOrDefault("redirectDownloads", redirectDownloads),
                (String) fields.getOrDefault("cacheControl", cacheControl),
                (List<CorsRule>) fields.getOrDefault("cors", cors),
                (List<ImagePreset>) fields.getOrDefault("imagePresets", imagePresets),
                (List<LifecycleRule>) fields.getOrDefault(LifecycleRule.FIELD, lifecycleRules));
    }

    /** The image presets, none when unset. */
    public List<ImagePreset> presets() {
        return imagePresets == null ? List.of() : imagePresets;
    }

    /** The lifecycle rules, none when unset. */
    public List<LifecycleRule> lifecycle() {
        return lifecycleRules == null ? List.of() : lifecycleRules;
    }

    /** The CORS rules, none when unset. */
    public List<CorsRule> corsRules() {
        return cors == null ? List.of() : cors;
    }

    /** Whether downloads go straight to the store by default (where the store can serve them). */
    public boolean redirectsDownloads() {
        return Boolean.TRUE.equals(redirectDownloads);
    }

    /** Whether an object of this media type may be stored here. */
    public boolean accepts(MimeType type) {
        if (allowedContentTypes == null || allowedContentTypes.isEmpty()) {
            return true;
        }
        return allowedContentTypes.stream().map(MimeType::valueOf).anyMatch(range -> range.includes(type));
    }
}
