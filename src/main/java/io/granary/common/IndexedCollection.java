package io.granary.common;

import reactor.core.publisher.Mono;

/**
 * A repository whose collection needs indexes. {@link IndexInitializer} creates them all once,
 * at start-up, before the server accepts requests (unique indexes are part of correctness:
 * a write must never run against a collection that lacks them).
 */
public interface IndexedCollection {

    /** Creates the collection's indexes if missing; idempotent. */
    Mono<Void> ensureIndexes();
}
