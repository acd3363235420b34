package io.granary.web;

import io.granary.error.GranaryException;
import java.io.IOException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Hooks;
import reactor.netty.channel.AbortedException;

/**
 * Logs the errors Reactor drops (raised after their stream had already ended) by what they
 * mean. A connection that a client resets after Granary already answered, or during a request
 * nobody reads the body of any more, fails a stream no one listens to; Reactor's default logs
 * each at ERROR with a stack trace, which reads like a server fault. Those are the client's
 * doing and are logged at DEBUG (also as the {@code 4xx} they were turned into, such as
 * {@code incomplete_body}); anything else stays an ERROR.
 */
@Component
class DroppedErrors {

    private static final Logger log = LoggerFactory.getLogger(DroppedErrors.class);

    DroppedErrors() {
        Hooks.onErrorDropped(DroppedErrors::dropped);
    }

    static void dropped(Throwable error) {
        if (error instanceof IOException || error instanceof AbortedException
                || (error instanceof GranaryException refusal && refusal.code().status().is4xxClientError())) {
            log.debug("A connection failed after its request had ended: {}", error.toString());
        } else {
            log.error("An error was raised after its stream had ended", error);
        }
    }
}
