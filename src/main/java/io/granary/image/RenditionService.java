package io.granary.image;

import io.granary.error.ErrorCode;
import io.granary.error.GranaryException;
import io.granary.lease.LeaseHeldException;
import io.granary.lease.LeaseRunner;
import io.granary.object.FoundObject;
import io.granary.object.ObjectService;
import io.granary.object.StoredObject;
import io.granary.storage.BlobContent;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.stereotype.Service;
import reactor.core.publisher.Mono;

/**
 * Renditions of image objects the caller was allowed to read ({@link ObjectService#stat} decided
 * that): found by (version, canonical parameters) among the kept ones, or made once and kept.
 *
 * <p>A missing rendition is made once however many ask for it at the same moment: requests on
 * one node share one production, and nodes take a lease in MongoDB named after the rendition,
 * so a second node waits for the first one's record instead of encoding the image again. A
 * production runs to its end even when its first caller hangs up, so those waiting get it.
 */
@Service
public class RenditionService {

    /** What the lease of making one rendition is named after its id. */
    static final String LEASE_PREFIX = "rendition:";
    /** How often a node that found the lease held looks for the other node's record. */
    private static final Duration POLL = Duration.ofMillis(100);

    private final ObjectService objects;
    private final RenditionRepository renditions;
    private final RenditionMaker maker;
    private final LeaseRunner leases;
    private final ImageProperties properties;
    private final Map<String, Mono<StoredRendition>> inFlight = new ConcurrentHashMap<>();

    RenditionService(ObjectService objects, RenditionRepository renditions, RenditionMaker maker, LeaseRunner leases,
                     ImageProperties properties) {
        this.objects = objects;
        this.renditions = renditions;
        this.maker = maker;
        this.leases = leases;
        this.properties = properties;
    }

    /** The entity tag of {@code spec} of this version, known before anything is read or made. */
    public static String etag(StoredObject version, RenditionSpec spec) {
        return RenditionKey.of(version, spec).etag();
    }

    /**
     * The rendition {@code spec} of the object {@code found} names, made now if it was never made.
     * Fails with 422 {@code not_an_image} for an object that is not an image by its declared or
     * detected type, and for SVG (never rasterised), and with 422 {@code image_too_large} above the
     * source byte limit, before any byte is read.
     */
    public Mono<StoredRendition> rendition(FoundObject found, RenditionSpec spec) {
        StoredObject source = found.object();
        requireImage(source);
        RenditionKey key = RenditionKey.of(source, spec);
        return renditions.find(key.id()).switchIfEmpty(Mono.defer(() -> shared(source, key, spec)));
    }

    /**
     * The rendition {@code spec} of the object {@code found} names if it was made before; empty
     * when it was not, or cannot be made (the object is no image Granary renders).
     */
    public Mono<StoredRendition> kept(FoundObject found, RenditionSpec spec) {
        return renders(found.object()) ? renditions.find(RenditionKey.of(found.object(), spec).id()) : Mono.empty();
    }

    /** The bytes of a rendition; small ones through the two-tier cache, as objects'. */
    public Mono<BlobContent> open(StoredRendition rendition) {
        return objects.openDerived(rendition.location(), rendition.size());
    }

    /** Whether renditions can be asked of this version at all (an image by type, not SVG, not too large). */
    public boolean renders(StoredObject source) {
        return ImageTypes.renderable(source) && source.size() <= properties.maxSourceBytes().toBytes();
    }

    private void requireImage(StoredObject source) {
        if (!ImageTypes.renderable(source)) {
            throw new GranaryException(ErrorCode.NOT_AN_IMAGE, "The object is " + ImageTypes.of(source)
                    + ", not an image Granary renders (JPEG, PNG, WebP, GIF, BMP; SVG is never rasterised).");
        }
        if (source.size() > properties.maxSourceBytes().toBytes()) {
            throw new GranaryException(ErrorCode.IMAGE_TOO_LARGE, "The image is " + source.size()
                    + " bytes; renditions are made of images up to " + properties.maxSourceBytes().toBytes() + " bytes.");
        }
    }

    /** One production per rendition on this node, whoever asks while it runs. */
    private Mono<StoredRendition> shared(StoredObject source, RenditionKey key, RenditionSpec spec) {
        String id = key.id();
        Mono<StoredRendition> running = inFlight.get(id);
        if (running != null) {
            return running;
        }
        CompletableFuture<StoredRendition> result = new CompletableFuture<>();
        // Cancelling a caller's subscription leaves the production running for the others.
        Mono<StoredRendition> shared = Mono.fromFuture(result, true);
        Mono<StoredRendition> raced = inFlight.putIfAbsent(id, shared);
        if (raced != null) {
            return raced;
        }
        result.whenComplete((rendition, error) -> inFlight.remove(id, shared));
        leased(source, key, spec).subscribe(result::complete, result::completeExceptionally,
                () -> result.completeExceptionally(new IllegalStateException("no rendition was made for " + id)));
        return shared;
    }

    private Mono<StoredRendition> leased(StoredObject source, RenditionKey key, RenditionSpec spec) {
        Instant deadline = Instant.now().plus(properties.timeout());
        return Mono.defer(() -> leases.runOnce(LEASE_PREFIX + key.id(),
                        renditions.findRecorded(key.id()).switchIfEmpty(Mono.defer(() -> maker.make(source, key, spec)))))
                .onErrorResume(LeaseHeldException.class, held -> Instant.now().isAfter(deadline)
                        ? Mono.error(new GranaryException(ErrorCode.RENDERER_BUSY,
                                "Another node has been making this rendition for too long; try again shortly."))
                        : Mono.delay(POLL).then(renditions.findRecorded(key.id()))
                                .switchIfEmpty(Mono.defer(() -> leased(source, key, spec))));
    }
}
