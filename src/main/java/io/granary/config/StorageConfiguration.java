package io.granary.config;

import io.granary.lease.LeaseRunner;
import io.granary.storage.BlobStore;
import io.granary.storage.fs.FileSystemBlobStore;
import io.granary.storage.s3.S3BlobStore;
import io.granary.storage.s3.S3ClientFactory;
import io.granary.storage.s3.S3ObjectReader;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.scheduling.annotation.Scheduled;
import software.amazon.awssdk.services.s3.S3AsyncClient;
import software.amazon.awssdk.services.s3.presigner.S3Presigner;

/** Chooses the {@link BlobStore} adapter from {@code granary.store.type}. */
@Configuration(proxyBeanMethods = false)
class StorageConfiguration {

    private static final Logger log = LoggerFactory.getLogger(StorageConfiguration.class);

    @Configuration(proxyBeanMethods = false)
    @ConditionalOnProperty(name = "granary.store.type", havingValue = "filesystem", matchIfMissing = true)
    static class FileSystemStore {

        private final LeaseRunner leases;
        private final Duration interval;
        private FileSystemBlobStore store;

        FileSystemStore(LeaseRunner leases, GranaryProperties properties) {
            this.leases = leases;
            this.interval = properties.sweeper().interval();
        }

        @Bean
        FileSystemBlobStore fileSystemBlobStore(GranaryProperties properties) {
            store = new FileSystemBlobStore(properties.dataDir().resolve("store"));
            log.info("Blob store: filesystem under {}", properties.dataDir().resolve("store").toAbsolutePath());
            return store;
        }

        /**
         * Temporary files of uploads cut off by a crash; live uploads are far younger than the
         * safety age. One pass over the temporary directory, by one node per period (the lease),
         * as nodes sharing a filesystem store share its temporary directory too.
         */
        @Scheduled(initialDelay = 0, fixedDelayString = "${granary.sweeper.interval:1h}")
        void purgeTemporaryFiles() {
            if (store != null) {
                leases.runIfDue("temp-purge", interval.dividedBy(2), store.purgeTemporaryFiles(Duration.ofHours(1))).subscribe(
                        removed -> {
                            if (removed > 0) {
                                log.info("Removed {} stale temporary upload file(s)", removed);
                            }
                        },
                        error -> log.warn("Temporary-file purge failed: {}", error.toString()));
            }
        }
    }

    @Configuration(proxyBeanMethods = false)
    @ConditionalOnProperty(name = "granary.store.type", havingValue = "s3")
    static class S3Store {

        @Bean(destroyMethod = "close")
        S3AsyncClient s3AsyncClient(GranaryProperties properties) {
            return S3ClientFactory.create(properties.store().s3());
        }

        @Bean(destroyMethod = "close")
        S3Presigner s3Presigner(GranaryProperties properties) {
            return S3ClientFactory.presigner(properties.store().s3());
        }

        @Bean(destroyMethod = "close")
        S3ObjectReader s3ObjectReader(S3Presigner presigner, GranaryProperties properties) {
            return S3ClientFactory.reader(properties.store().s3(), presigner);
        }

        @Bean
        S3BlobStore s3BlobStore(S3AsyncClient client, S3Presigner presigner, S3ObjectReader reader,
                                GranaryProperties properties) {
            GranaryProperties.S3 s3 = properties.store().s3();
            // Blocking on purpose: once, on the start-up thread; a node whose store bucket cannot
            // be reached or created should fail to start rather than fail every upload.
            S3ClientFactory.ensureBucket(client, s3.bucket()).block(s3.apiCallTimeout());
            log.info("Blob store: S3 bucket '{}' at {}", s3.bucket(), s3.endpoint() == null ? "AWS" : s3.endpoint());
            return new S3BlobStore(client, presigner, reader, s3.bucket(), s3.partSize().toBytes(), s3.apiCallTimeout());
        }
    }
}
