package io.granary.web;

import io.granary.audit.DeniedRequestMonitor;
import io.granary.ratelimit.RefusalPacer;
import io.granary.security.Principal;
import java.net.InetSocketAddress;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;

/**
 * What happens to every refusal, wherever it is answered (the exception handler, the hot read
 * path): a 401 or 403 is counted for the audit log's denial bursts, and a 401, 403 or 429 is
 * paced per caller ({@link RefusalPacer}). Other statuses pass untouched.
 */
@Component
public class Refusals {

    private final DeniedRequestMonitor denials;
    private final RefusalPacer pacer;

    Refusals(DeniedRequestMonitor denials, RefusalPacer pacer) {
        this.denials = denials;
        this.pacer = pacer;
    }

    /**
     * {@code answer}, the response to a request refused with {@code status}, counted and paced.
     *
     * @param principal the caller as established, or {@code null}
     * @param remote the client's address, which names a caller without a credential
     */
    public <T> Mono<T> answered(Object principal, InetSocketAddress remote, int status, Mono<T> answer) {
        if (status != 401 && status != 403 && status != 429) {
            return answer;
        }
        String caller = Callers.of(principal, remote);
        if (status != 429) {
            denials.denied(principal instanceof Principal known ? known.tenantId() : null, caller, status);
        }
        return pacer.pace(caller, answer);
    }
}
