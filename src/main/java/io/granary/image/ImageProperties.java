package io.granary.image;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

/**
 * Image renditions ({@code granary.images.*}, {@code GRANARY_IMAGES_*}).
 *
 * @param maxPixels sources with more pixels (width x height, read from the header) are refused
 *     with {@code 422 image_too_large} before any pixel is decoded
 * @param maxSourceBytes sources larger than this are refused the same way
 * @param maxOutputBytes an encoded rendition larger than this is abandoned ({@code 422 image_too_large})
 * @param threads renderer threads; unset means one per available processor
 * @param queue renditions that may wait for a thread; unset means four per thread. Past
 *     {@code threads + queue} a request is answered {@code 503 renderer_busy} with {@code Retry-After}
 * @param timeout longest a rendition may take, waiting included; then {@code 503 render_timeout}
 * @param defaultQuality quality of lossy renditions that ask for none
 * @param memoryBudget the memory all renditions in progress may hold together (decoded sources
 *     and canvases); unset means half the heap. A rendition waits for its share before decoding
 */
@ConfigurationProperties("granary.images")
public record ImageProperties(
        @DefaultValue("50000000") long maxPixels,
        @DefaultValue("100MB") DataSize maxSourceBytes,
        @DefaultValue("32MB") DataSize maxOutputBytes,
        Integer threads,
        Integer queue,
        @DefaultValue("30s") Duration timeout,
        @DefaultValue("80") int defaultQuality,
        DataSize memoryBudget) {

    public ImageProperties {
        if (maxPixels < 1 || maxSourceBytes.toBytes() < 1 || maxOutputBytes.toBytes() < 1) {
            throw new IllegalArgumentException("granary.images limits must be positive");
        }
        if (threads != null && threads < 1 || queue != null && queue < 0) {
            throw new IllegalArgumentException("granary.images.threads must be at least 1 and queue at least 0");
        }
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("granary.images.timeout must be positive: " + timeout);
        }
        if (memoryBudget != null && memoryBudget.toBytes() < (1 << 20)) {
            throw new IllegalArgumentException("granary.images.memory-budget must be at least 1MB: " + memoryBudget);
        }
        if (defaultQuality < 1 || defaultQuality > 100) {
            throw new IllegalArgumentException("granary.images.default-quality must be from 1 to 100: " + defaultQuality);
        }
    }

    /** The defaults, as when nothing is configured. */
    public static ImageProperties defaults() {
        return new ImageProperties(50_000_000, DataSize.ofMegabytes(100), DataSize.ofMegabytes(32), null, null,
                Duration.ofSeconds(30), RenditionSpec.DEFAULT_QUALITY, null);
    }

    /** The number of renderer threads, the default resolved. */
    public int threadCount() {
        return threads != null ? threads : Runtime.getRuntime().availableProcessors();
    }

    /** The memory budget of renditions in progress, the default resolved. */
    MemoryBudget budget() {
        return memoryBudget != null ? new MemoryBudget(memoryBudget.toBytes()) : MemoryBudget.halfTheHeap();
    }

    /** The number of renditions that may wait, the default resolved. */
    public int queueLength() {
        return queue != null ? queue : 4 * threadCount();
    }
}
