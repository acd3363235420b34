package io.granary.image;

import io.granary.bucket.BucketService;
import io.granary.bucket.ImagePreset;
import io.granary.security.Principal;
import java.util.List;
import org.springframework.stereotype.Service;
import reactor.core.publisher.Mono;

/**
 * A bucket's image presets: read by whoever may see the bucket, replaced by its admins. Every
 * transform is checked as a URL's would be before the presets are stored, so a stored preset
 * always names a rendition Granary can make.
 */
@Service
public class ImagePresetService {

    private final BucketService buckets;

    ImagePresetService(BucketService buckets) {
        this.buckets = buckets;
    }

    public Mono<List<ImagePreset>> presets(Principal principal, String bucket) {
        return buckets.describe(principal, bucket).map(found -> found.presets());
    }

    /** Replaces the presets ({@code 422 invalid_transform} naming the preset that cannot render). */
    public Mono<Void> replace(Principal principal, String bucket, List<ImagePreset> presets) {
        return Mono.fromRunnable(() -> presets.forEach(preset -> Presets.spec(preset, null)))
                .then(buckets.replaceImagePresets(principal, bucket, presets));
    }
}
