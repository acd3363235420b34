package io.granary.image;

import io.granary.common.Ids;
import io.granary.object.ObjectService;
import io.granary.object.StoredObject;
import io.granary.storage.BlobLocation;
import io.granary.storage.BlobStore;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.core.io.buffer.DefaultDataBufferFactory;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * Makes one rendition and keeps it: the source version's bytes are copied to a temporary file
 * (decoders need to seek, and the header is checked before any pixel is decoded), rendered on
 * the {@link ImageRenderer}'s bounded pool, written as a new immutable blob and recorded. The
 * temporary files are deleted whatever happens; a blob whose record could not be written is
 * deleted too (or left to the sweeper when that fails).
 */
@Component
class RenditionMaker {

    private static final Logger log = LoggerFactory.getLogger(RenditionMaker.class);

    private final ObjectService objects;
    private final BlobStore blobs;
    private final RenditionRepository renditions;
    private final ImageRenderer renderer;
    private final Counter made;

    RenditionMaker(ObjectService objects, BlobStore blobs, RenditionRepository renditions, ImageRenderer renderer,
                   MeterRegistry meters) {
        this.objects = objects;
        this.blobs = blobs;
        this.renditions = renditions;
        this.renderer = renderer;
        // How many renditions this node encoded (a kept one served again is not counted).
        this.made = Counter.builder("granary.renditions.made").register(meters);
    }

    Mono<StoredRendition> make(StoredObject source, RenditionKey key, RenditionSpec spec) {
        return Mono.usingWhen(temporaryFile(), copy -> spool(source, copy)
                        .then(spec.stripOnly() ? stripped(source, key, spec, copy) : rendered(source, key, spec, copy)),
                RenditionMaker::deleteQuietly);
    }

    private Mono<StoredRendition> rendered(StoredObject source, RenditionKey key, RenditionSpec spec, Path copy) {
        // render() checks the header's limits itself before decoding: no separate probe.
        return renderer.render(copy, spec).flatMap(rendition -> {
            BlobLocation location = location(source, key);
            Flux<DataBuffer> body = slices(rendition.bytes());
            return keep(source, key, spec, location, blobs.put(location, body, (long) rendition.bytes().length, Map.of()),
                    rendition.bytes().length, rendition.contentType(), rendition.width(), rendition.height());
        });
    }

    private Mono<StoredRendition> stripped(StoredObject source, RenditionKey key, RenditionSpec spec, Path copy) {
        return Mono.usingWhen(temporaryFile(), target -> renderer.strip(copy, target)
                .then(Mono.fromCallable(() -> Files.size(target)).subscribeOn(Schedulers.boundedElastic()))
                .flatMap(size -> {
                    BlobLocation location = location(source, key);
                    Flux<DataBuffer> body = DataBufferUtils.read(target, DefaultDataBufferFactory.sharedInstance, 64 * 1024);
                    return keep(source, key, spec, location, blobs.put(location, body, size, Map.of()),
                            size, source.detectedType() != null ? source.detectedType() : source.contentType(), 0, 0);
                }), RenditionMaker::deleteQuietly);
    }

    private Mono<StoredRendition> keep(StoredObject source, RenditionKey key, RenditionSpec spec, BlobLocation location,
                                       Mono<Void> written, long size, String contentType, int width, int height) {
        StoredRendition record = new StoredRendition(key.id(), source.tenantId(), source.bucketId(), source.versionId(),
                source.blob(), spec.canonical(), location.path(), size, contentType, width, height,
                Instant.now().truncatedTo(ChronoUnit.MILLIS));
        return written.then(renditions.insertOrGet(record))
                .doOnNext(kept -> made.increment())
                .flatMap(kept -> kept.blob().equals(record.blob()) ? Mono.just(kept)
                        // Recorded first by another maker: its blob is the one, ours goes.
                        : blobs.delete(location).onErrorResume(error -> Mono.empty()).thenReturn(kept))
                .onErrorResume(error -> blobs.delete(location).onErrorResume(e -> {
                    log.warn("could not delete rendition blob {}; the sweeper will: {}", location, e.toString());
                    return Mono.empty();
                }).then(Mono.error(error)));
    }

    /**
     * The bytes as 64 KiB buffers: a file channel writes a heap buffer through a temporary direct
     * buffer of its size, which the writing thread then keeps; one of a rendition's size each
     * would pin up to {@code max-output-bytes} of direct memory per thread.
     */
    private static Flux<DataBuffer> slices(byte[] bytes) {
        int slice = 64 * 1024;
        return Flux.range(0, (bytes.length + slice - 1) / slice)
                .map(i -> DefaultDataBufferFactory.sharedInstance.wrap(
                        java.nio.ByteBuffer.wrap(bytes, i * slice, Math.min(slice, bytes.length - i * slice)).slice()));
    }

    /** A fresh blob per making: a blob is never rewritten, and a lost race leaves ours to delete. */
    private static BlobLocation location(StoredObject source, RenditionKey key) {
        return BlobLocation.rendition(source.tenantId(), source.bucketId(), source.versionId(), key.hash() + "-" + Ids.newId());
    }

    private Mono<Void> spool(StoredObject source, Path copy) {
        return objects.open(source, null).flatMap(content -> DataBufferUtils.write(content.stream(), copy));
    }

    private static Mono<Path> temporaryFile() {
        return Mono.fromCallable(() -> Files.createTempFile("granary-image-", ".tmp")).subscribeOn(Schedulers.boundedElastic());
    }

    private static Mono<Void> deleteQuietly(Path file) {
        return Mono.<Void>fromRunnable(() -> {
            try {
                Files.deleteIfExists(file);
            } catch (IOException e) {
                log.warn("could not delete temporary file {}: {}", file, e.toString());
            }
        }).subscribeOn(Schedulers.boundedElastic());
    }
}
