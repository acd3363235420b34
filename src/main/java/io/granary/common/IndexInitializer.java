package io.granary.common;

import java.time.Duration;
import java.util.List;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Flux;

/** Creates every {@link IndexedCollection}'s indexes once all beans exist, before the web server starts. */
@Component
class IndexInitializer implements SmartInitializingSingleton {

    private final List<IndexedCollection> collections;

    IndexInitializer(List<IndexedCollection> collections) {
        this.collections = collections;
    }

    @Override
    public void afterSingletonsInstantiated() {
        // Blocking on purpose: this runs once on the start-up thread (no event loop exists yet),
        // and serving requests before the unique indexes exist would let duplicates in.
        Flux.fromIterable(collections).concatMap(IndexedCollection::ensureIndexes).then().block(Duration.ofMinutes(2));
    }
}
