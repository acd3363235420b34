package io.granary.image;

import java.util.Collection;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/** Storage port for rendition records ({@link StoredRendition}). */
public interface RenditionRepository {

    Mono<StoredRendition> find(String id);

    /**
     * Records a rendition; when one with the same id was recorded first (another node made it
     * meanwhile), completes with that one instead.
     */
    Mono<StoredRendition> insertOrGet(StoredRendition rendition);

    /** Every rendition made from the version whose blob is {@code sourceBlob}. */
    Flux<StoredRendition> findBySource(String sourceBlob);

    /** Every rendition, for the sweeper; in no particular order. */
    Flux<StoredRendition> findAll();

    /** Which of these rendition blob paths a record points at. */
    Flux<String> referencedBlobs(Collection<String> blobs);

    Mono<Void> delete(String id);
}
