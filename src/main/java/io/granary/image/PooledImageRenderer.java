package io.granary.image;

import java.nio.file.Path;
import javax.imageio.ImageIO;
import reactor.core.publisher.Mono;

/**
 * The {@link ImageRenderer}: every call is one job on the {@link RenderPool}. See {@link RenderJob}
 * for what a rendition holds in memory; at most {@code threads} of them run at once, and together
 * they hold no more than the {@link MemoryBudget}.
 */
final class PooledImageRenderer implements ImageRenderer, AutoCloseable {

    private final ImageProperties properties;
    private final RenderPool pool;
    private final MemoryBudget budget;

    PooledImageRenderer(ImageProperties properties) {
        this(properties, new RenderPool(properties.threadCount(), properties.queueLength(), properties.timeout()));
    }

    PooledImageRenderer(ImageProperties properties, RenderPool pool) {
        // ImageIO registers the plugins on the classpath when first used, through the context
        // class loader of the thread that happens to touch it; do it now, from this one.
        ImageIO.scanForPlugins();
        ImageIO.setUseCache(false); // no temporary files for streams: renditions are bounded in memory anyway
        this.properties = properties;
        this.pool = pool;
        this.budget = properties.budget();
    }

    @Override
    public Mono<ImageInfo> probe(Path source) {
        return pool.submit(job -> RenderJob.probe(source, properties));
    }

    @Override
    public Mono<Rendition> render(Path source, RenditionSpec spec) {
        return pool.submit(job -> RenderJob.render(source, spec, properties, budget, job));
    }

    @Override
    public Mono<Void> strip(Path source, Path target) {
        return pool.submit(job -> {
            MetadataStripper.strip(source, target);
            return Boolean.TRUE;
        }).then();
    }

    @Override
    public void close() {
        pool.close();
    }
}
