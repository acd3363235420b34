package io.granary.security.signed;

import io.granary.audit.AuditEventType;
import io.granary.audit.AuditLog;
import io.granary.common.Ids;
import io.granary.error.ErrorCode;
import io.granary.error.GranaryException;
import io.granary.security.Authorizer;
import io.granary.security.Principal;
import io.granary.security.Secrets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import org.springframework.stereotype.Service;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Rotation of URL-signing keys (root only) and their lookup. The first signature ever made
 * creates the first key, so a fresh installation needs no set-up; keys live in MongoDB, so
 * every node signs and verifies with the same ones.
 */
@Service
public class SigningKeyService {

    private final SigningKeyRepository keys;
    private final AuditLog audit;

    public SigningKeyService(SigningKeyRepository keys, AuditLog audit) {
        this.keys = keys;
        this.audit = audit;
    }

    /** The key new URLs are signed with: the newest, created on first use. */
    Mono<SigningKey> current() {
        return keys.findAll().next().switchIfEmpty(Mono.defer(this::create));
    }

    Mono<SigningKey> find(String kid) {
        return Ids.isId(kid) ? keys.find(kid) : Mono.empty();
    }

    public Flux<SigningKey> list(Principal principal) {
        Authorizer.requireSystem(principal);
        return keys.findAll();
    }

    /** Adds a key that signs from now on; older keys keep verifying until retired. */
    public Mono<SigningKey> rotate(Principal principal) {
        Authorizer.requireSystem(principal);
        return create().flatMap(key -> audit.record(principal, null, AuditEventType.SIGNING_KEY_ROTATED,
                "signing-key:" + key.kid(), Map.of()).thenReturn(key));
    }

    /**
     * Deletes a key: every URL it signed stops working at once. Nothing retires keys on its own,
     * so a rotated-out key verifies for as long as any URL could live; retiring it sooner than
     * {@code granary.signed-urls.max-ttl} after the rotation is the way to revoke its URLs.
     */
    public Mono<Void> retire(Principal principal, String kid) {
        Authorizer.requireSystem(principal);
        return find(kid).flatMap(key -> keys.delete(key.kid()))
                .filter(Boolean::booleanValue)
                .switchIfEmpty(Mono.error(() -> new GranaryException(ErrorCode.NOT_FOUND, "No signing key '" + kid + "'.")))
                .then(audit.record(principal, null, AuditEventType.SIGNING_KEY_RETIRED, "signing-key:" + kid, Map.of()));
    }

    private Mono<SigningKey> create() {
        return keys.insert(new SigningKey(Ids.newId(), Secrets.newSecret(), Instant.now().truncatedTo(ChronoUnit.MILLIS)));
    }
}
