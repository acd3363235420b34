package io.granary.image;

import java.util.Collection;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/** Storage port for rendition records ({@link StoredRendition}). */
public interface RenditionRepository {

    /** The rendition recorded under {@code id}; may be answered from a cache (records never change). */
    Mono<StoredRendition> find(String id);

    /**
     * {@link #find}, but straight from the store: for a node waiting for another node's rendition,
     * whose "not there yet" must not be remembered.
     */
    Mono<StoredRendition> findRecorded(String id);

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
