package io.granary.lease;

import static org.assertj.core.api.Assertions.assertThat;

import io.granary.api.ApiTestSupport;
import io.granary.common.Ids;
import java.time.Duration;
import org.bson.Document;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.data.mongodb.core.ReactiveMongoTemplate;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.test.StepVerifier;

/** Leases against the embedded MongoDB: one holder at a time, and what each kind leaves behind. */
class LeaseRunnerTest extends ApiTestSupport {

    @Autowired
    LeaseRunner leases;
    @Autowired
    ReactiveMongoTemplate mongo;

    @Test
    void aOneOffLeaseLeavesNoDocumentWhetherItsWorkSucceedsOrFails() {
        String done = "test:" + Ids.newId();
        StepVerifier.create(leases.runOnce(done, Mono.just("made"))).expectNext("made").verifyComplete();
        assertThat(document(done)).isNull();

        String failed = "test:" + Ids.newId();
        StepVerifier.create(leases.runOnce(failed, Mono.error(new IllegalStateException("broken"))))
                .expectErrorMessage("broken").verify(Duration.ofSeconds(10));
        assertThat(document(failed)).isNull();
    }

    @Test
    void aOneOffLeaseIsHeldOnceWhileItsWorkRuns() {
        String name = "test:" + Ids.newId();
        Sinks.One<String> gate = Sinks.one();
        Mono<String> first = leases.runOnce(name, gate.asMono()).cache();
        first.subscribe();
        awaitHeld(name);

        StepVerifier.create(leases.runOnce(name, Mono.just("second"))).expectError(LeaseHeldException.class)
                .verify(Duration.ofSeconds(10));
        assertThat(document(name)).isNotNull();

        gate.tryEmitValue("first");
        StepVerifier.create(first).expectNext("first").verifyComplete();
        assertThat(document(name)).isNull();
        StepVerifier.create(leases.runOnce(name, Mono.just("again"))).expectNext("again").verifyComplete();
    }

    @Test
    void aRecordedRunKeepsItsDocumentWithTheEndForTheSchedule() {
        String name = "test:" + Ids.newId();
        StepVerifier.create(leases.run(name, true, Mono.just(1))).expectNext(1).verifyComplete();
        Document lease = document(name);
        assertThat(lease).isNotNull();
        assertThat(lease.get("lastFinishedAt")).isNotNull();
        assertThat(lease.get("owner")).isNull();
        // Finished just now: not due again within the hour.
        StepVerifier.create(leases.runIfDue(name, Duration.ofHours(1), Mono.just(2))).verifyComplete();
    }

    /** Taking a lease is a round trip to the database: the first run holds it only once that is back. */
    private void awaitHeld(String name) {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (document(name) == null || document(name).get("owner") == null) {
            assertThat(System.nanoTime()).as("the lease '%s' taken", name).isLessThan(deadline);
            Thread.onSpinWait();
        }
    }

    private Document document(String name) {
        return mongo.findById(name, Document.class, MongoLeaseRepository.COLLECTION).block(Duration.ofSeconds(10));
    }
}
