package io.granary.usage;

import io.granary.config.GranaryProperties;
import io.granary.lease.LeaseRunner;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.scheduling.annotation.SchedulingConfigurer;
import org.springframework.scheduling.config.FixedDelayTask;
import org.springframework.scheduling.config.ScheduledTaskRegistrar;
import org.springframework.stereotype.Component;

/**
 * Asks every tenth of {@code granary.usage.recount-interval} (at most every {@link LeaseRunner#MAX_CHECK})
 * whether a recount is due, and runs it if so. Checking often, rather than waiting a whole
 * interval after start, means nodes restarted more often than the interval still recount;
 * the lease's record of the last run means that of all nodes only one recounts per interval.
 */
@Component
class RecountScheduler implements SchedulingConfigurer {

    private static final Logger log = LoggerFactory.getLogger(RecountScheduler.class);

    private final UsageRecount recount;
    private final Duration check;

    RecountScheduler(UsageRecount recount, GranaryProperties properties) {
        this.recount = recount;
        this.check = LeaseRunner.checkPeriod(properties.usage().recountInterval());
    }

    @Override
    public void configureTasks(ScheduledTaskRegistrar registrar) {
        registrar.addFixedDelayTask(new FixedDelayTask(this::scheduled, check, check));
    }

    void scheduled() {
        recount.ifDue().subscribe(report -> { }, error -> log.warn("Usage recount failed: {}", error.toString()));
    }
}
