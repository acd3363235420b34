package io.granary.ratelimit;

import io.granary.config.GranaryProperties;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;

/**
 * Slows down callers that keep being refused. A refusal (401, 403, 429) is answered at once
 * until its caller has had {@code pace-refusals-after} of them within the current second; each
 * further refusal in that second is held back for {@code refusal-delay} before it is answered. A
 * well-behaved client never notices (it waits for {@code Retry-After} anyway); a flood over a
 * limit, or of bad credentials, gets one answer per connection per delay instead of as many as
 * the node can send, which keeps the node's time for the tenants within their limits. Holding
 * an answer costs a timer, not a thread.
 *
 * <p>Counted per node in memory, per caller: its credential's actor, or its address when no
 * credential was established.
 */
@Component
public class RefusalPacer {

    /** Callers tracked within one second at most; beyond it new callers are not paced (nor tracked). */
    private static final int MAX_CALLERS = 100_000;

    private final int allowed;
    private final Duration delay;
    private final LongSupplier nanoTime;
    private final Map<String, AtomicLong> thisSecond = new ConcurrentHashMap<>();
    private volatile long second;

    @Autowired
    public RefusalPacer(GranaryProperties properties) {
        this(properties.rateLimit().paceRefusalsAfter(), properties.rateLimit().refusalDelay(), System::nanoTime);
    }

    RefusalPacer(int allowed, Duration delay, LongSupplier nanoTime) {
        this.allowed = allowed;
        this.delay = delay;
        this.nanoTime = nanoTime;
    }

    /**
     * Counts one refusal of {@code caller} and says when to answer it: {@code answer} itself, or
     * {@code answer} subscribed after the delay once the caller is over its allowance.
     */
    public <T> Mono<T> pace(String caller, Mono<T> answer) {
        if (delay.isZero() || delay.isNegative()) {
            return answer;
        }
        long now = nanoTime.getAsLong() / 1_000_000_000L;
        if (now != second) {
            // A new second: everyone starts again (a race here only forgives a few refusals).
            second = now;
            thisSecond.clear();
        }
        AtomicLong count = thisSecond.get(caller);
        if (count == null) {
            if (thisSecond.size() >= MAX_CALLERS) {
                return answer;
            }
            count = thisSecond.computeIfAbsent(caller, ignored -> new AtomicLong());
        }
        return count.incrementAndGet() > allowed ? Mono.delay(delay).then(answer) : answer;
    }
}
