package io.granary.s3credential;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

/**
 * After a master key rotation, seals every S3 secret again under the new key once the node is
 * up, so that the old key can be dropped from {@code GRANARY_MASTER_KEY_PREVIOUS} afterwards.
 * Several nodes may do it at once: each replacement is conditional, and any of them is valid.
 */
@Component
class SecretResealer {

    private static final Logger log = LoggerFactory.getLogger(SecretResealer.class);

    private final S3CredentialService credentials;

    SecretResealer(S3CredentialService credentials) {
        this.credentials = credentials;
    }

    @EventListener(ApplicationReadyEvent.class)
    void resealAfterStart() {
        credentials.resealUnderCurrentKey().subscribe(
                count -> {
                    if (count > 0) {
                        log.info("Sealed {} S3 credential secret(s) again under the current master key", count);
                    }
                },
                error -> log.warn("Sealing S3 credential secrets under the current master key failed: {}; the next start tries again",
                        error.toString()));
    }
}
