package io.granary.cors;

import static org.assertj.core.api.Assertions.assertThat;

import io.granary.bucket.Bucket;
import io.granary.bucket.BucketOwners;
import io.granary.bucket.BucketRepository;
import io.granary.bucket.CorsRule;
import io.granary.security.Principal;
import io.granary.web.Requests;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.springframework.http.HttpHeaders;
import org.springframework.mock.http.server.reactive.MockServerHttpRequest;
import org.springframework.mock.web.server.MockServerWebExchange;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/** What an answer's headers become when its request had an Origin (no server needed). */
class CorsPolicyTest {

    private static final String APP = "https://app.example.com";
    private static final Bucket SITE = new Bucket("b1", "t1", "site", "private", null, null, Instant.EPOCH, null, null, null, null,
            List.of(new CorsRule(List.of(APP), List.of("GET"), null, List.of("ETag"), null)), null, null);

    private final CorsPolicy policy = new CorsPolicy(new OneBucket());

    @Test
    void anAllowedOriginIsAddedToWhatTheAnswerAlreadyVariesBy() {
        MockServerWebExchange exchange = MockServerWebExchange.from(MockServerHttpRequest.get("/v1/buckets/site/objects/a")
                .header(HttpHeaders.ORIGIN, APP));
        exchange.getAttributes().put(Requests.PRINCIPAL, new Principal.TenantKey("t1", "k1", Set.of(), null, null));
        exchange.getResponse().getHeaders().setVary(List.of("Accept"));

        policy.decorate(exchange, "site");
        exchange.getResponse().setComplete().block();

        HttpHeaders answer = exchange.getResponse().getHeaders();
        assertThat(answer.getVary()).containsExactly("Accept", "Origin");
        assertThat(answer.getAccessControlAllowOrigin()).isEqualTo(APP);
        assertThat(answer.getAccessControlExposeHeaders()).containsExactly("ETag");
    }

    /** One tenant's bucket named {@code site}; nothing else. */
    private static final class OneBucket implements BucketRepository {
        @Override
        public Mono<Bucket> find(String tenantId, String name) {
            return tenantId.equals(SITE.tenantId()) && name.equals(SITE.name()) ? Mono.just(SITE) : Mono.empty();
        }

        @Override
        public Mono<BucketOwners> ownersOf(String name) {
            return Mono.just(new BucketOwners(name.equals(SITE.name()) ? List.of(SITE.tenantId()) : List.of()));
        }

        @Override
        public Mono<Bucket> insert(Bucket bucket) {
            throw new UnsupportedOperationException();
        }

        @Override
        public Flux<Bucket> findByTenant(String tenantId) {
            throw new UnsupportedOperationException();
        }

        @Override
        public Mono<Long> countByTenant(String tenantId) {
            throw new UnsupportedOperationException();
        }

        @Override
        public Flux<Bucket> withLifecycleRules() {
            throw new UnsupportedOperationException();
        }

        @Override
        public Mono<Bucket> update(String id, Map<String, Object> fields) {
            throw new UnsupportedOperationException();
        }

        @Override
        public Mono<Boolean> delete(Bucket bucket) {
            throw new UnsupportedOperationException();
        }
    }
}
