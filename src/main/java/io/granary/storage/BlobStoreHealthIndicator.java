package io.granary.storage;

import java.time.Duration;
import org.springframework.boot.health.contributor.AbstractReactiveHealthIndicator;
import org.springframework.boot.health.contributor.Health;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;

/** Reports the blob store under {@code /actuator/health} as {@code blobStore}. */
@Component("blobStore")
class BlobStoreHealthIndicator extends AbstractReactiveHealthIndicator {

    private final BlobStore store;

    BlobStoreHealthIndicator(BlobStore store) {
        super("Blob store health check failed");
        this.store = store;
    }

    @Override
    protected Mono<Health> doHealthCheck(Health.Builder builder) {
        return store.check().timeout(Duration.ofSeconds(5)).then(Mono.fromSupplier(() -> builder.up().build()));
    }
}
