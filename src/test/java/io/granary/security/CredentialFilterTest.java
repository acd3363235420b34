package io.granary.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.granary.apikey.ApiKey;
import io.granary.apikey.ApiKeyRepository;
import io.granary.apikey.ApiKeyService;
import io.granary.config.GranaryProperties;
import io.granary.error.ErrorCode;
import io.granary.error.GranaryException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.springframework.mock.web.reactive.function.server.MockServerRequest;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Which principal a bare credential becomes: API keys are looked up by their id, the root key is
 * recognised whatever its shape (even an API key's), anything else is a 401. Runs the filter
 * alone, with an in-memory key repository and no rate limits.
 */
class CredentialFilterTest {

    private static final String KEY_ID = "0123456789abcdef01234567";
    private static final String SECRET = "s3cret-s3cret-s3cret-s3cret-s3cret-s3cret-x";
    /** A root key that has an API key's shape, for an id that no key has. */
    private static final String KEY_SHAPED_ROOT = "grk_fedcba9876543210fedcba98_" + SECRET;

    private final InMemoryKeys keys = new InMemoryKeys();

    @Test
    void apiKeyBecomesItsTenantKeyPrincipal() {
        keys.add(new ApiKey(KEY_ID, "tenant-1", "k", List.of("read"), null, null, Instant.now(),
                Secrets.sha256Hex(SECRET), null));

        Principal principal = authenticate(filter("an-ordinary-root-key-0123456789abcdef"), "grk_" + KEY_ID + "_" + SECRET);

        assertThat(principal).isInstanceOfSatisfying(Principal.TenantKey.class, key -> {
            assertThat(key.tenantId()).isEqualTo("tenant-1");
            assertThat(key.keyId()).isEqualTo(KEY_ID);
        });
        assertThat(keys.lookups.get()).isEqualTo(1);
    }

    @Test
    void rootKeyIsRecognisedInAnyShape() {
        assertThat(authenticate(filter("an-ordinary-root-key-0123456789abcdef"), "an-ordinary-root-key-0123456789abcdef"))
                .isInstanceOf(Principal.Root.class);
        assertThat(keys.lookups.get()).isZero();

        assertThat(authenticate(filter(KEY_SHAPED_ROOT), KEY_SHAPED_ROOT)).isInstanceOf(Principal.Root.class);
        assertThat(keys.lookups.get()).isEqualTo(1);
    }

    @Test
    void wrongSecretsAndUnknownCredentialsAre401() {
        keys.add(new ApiKey(KEY_ID, "tenant-1", "k", List.of("read"), null, null, Instant.now(),
                Secrets.sha256Hex(SECRET), null));
        CredentialFilter filter = filter(KEY_SHAPED_ROOT);

        for (String credential : List.of("grk_" + KEY_ID + "_wrong-" + SECRET, KEY_SHAPED_ROOT + "x", "nothing-like-a-key")) {
            assertThatThrownBy(() -> authenticate(filter, credential))
                    .isInstanceOfSatisfying(GranaryException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.UNAUTHENTICATED));
        }
    }

    private CredentialFilter filter(String rootKey) {
        GranaryProperties properties = new GranaryProperties(Path.of("unused"), rootKey, null, null, null, null, null, null,
                null, null, null, null, null, null, null, null, null, null, null);
        return new CredentialFilter(new RootKey(properties), new ApiKeyService(keys, null, null), null,
                (tenant, caller, rate) -> Mono.empty(), null);
    }

    /** The principal the filter hands the handler for {@code X-Api-Key: credential}. */
    private static Principal authenticate(CredentialFilter filter, String credential) {
        ServerRequest request = MockServerRequest.builder().header(CredentialFilter.API_KEY_HEADER, credential).build();
        Principal[] seen = new Principal[1];
        filter.filter(request, admitted -> {
            seen[0] = (Principal) admitted.attributes().get(io.granary.web.Requests.PRINCIPAL);
            return ServerResponse.ok().build();
        }).block();
        return seen[0];
    }

    private static final class InMemoryKeys implements ApiKeyRepository {

        final ConcurrentHashMap<String, ApiKey> byId = new ConcurrentHashMap<>();
        final AtomicInteger lookups = new AtomicInteger();

        void add(ApiKey key) {
            byId.put(key.id(), key);
        }

        @Override
        public Mono<ApiKey> insert(ApiKey key) {
            add(key);
            return Mono.just(key);
        }

        @Override
        public Mono<ApiKey> findById(String id) {
            lookups.incrementAndGet();
            return Mono.justOrEmpty(byId.get(id));
        }

        @Override
        public Flux<ApiKey> findByTenant(String tenantId) {
            return Flux.fromIterable(byId.values()).filter(key -> key.tenantId().equals(tenantId));
        }

        @Override
        public Mono<Boolean> delete(String tenantId, String id) {
            return Mono.just(byId.remove(id) != null);
        }

        @Override
        public Mono<Void> deleteByTenant(String tenantId) {
            byId.values().removeIf(key -> key.tenantId().equals(tenantId));
            return Mono.empty();
        }
    }
}
