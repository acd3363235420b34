package io.granary.redis;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The fail-fast window after a Redis failure, and the single probe that ends it. */
class BreakerTest {

    private static final long RETRY = 1_000;

    @Test
    void closedUntilAFailureThenOpenForTheRetryInterval() {
        Breaker breaker = new Breaker(RETRY);
        assertThat(breaker.allow(0)).isTrue();
        assertThat(breaker.failed(10)).as("an outage begins").isTrue();
        assertThat(breaker.failed(20)).as("still the same outage").isFalse();
        assertThat(breaker.allow(500)).isFalse();
        assertThat(breaker.allow(1_019)).isFalse();
        assertThat(breaker.isOpen()).isTrue();
    }

    @Test
    void oneCallerProbesAfterTheIntervalAndItsSuccessClosesTheBreaker() {
        Breaker breaker = new Breaker(RETRY);
        breaker.failed(0);
        assertThat(breaker.allow(1_000)).as("the probe").isTrue();
        assertThat(breaker.allow(1_001)).as("others keep falling back while it runs").isFalse();
        assertThat(breaker.succeeded()).as("Redis is back").isTrue();
        assertThat(breaker.allow(1_002)).isTrue();
        assertThat(breaker.succeeded()).isFalse();
    }

    @Test
    void aFailedProbeOpensItForAnotherInterval() {
        Breaker breaker = new Breaker(RETRY);
        breaker.failed(0);
        assertThat(breaker.allow(1_000)).isTrue();
        assertThat(breaker.failed(1_100)).as("not a new outage").isFalse();
        assertThat(breaker.allow(2_000)).isFalse();
        assertThat(breaker.allow(2_100)).isTrue();
    }

    @Test
    void worksAcrossTheSignOfNanoTime() {
        Breaker breaker = new Breaker(RETRY);
        breaker.failed(Long.MAX_VALUE - 10);
        assertThat(breaker.allow(Long.MAX_VALUE)).isFalse();
        assertThat(breaker.allow(Long.MAX_VALUE + 990)).isTrue(); // wrapped around
    }
}
