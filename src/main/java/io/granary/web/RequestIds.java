package io.granary.web;

import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Pattern;
import org.springframework.web.server.ServerWebExchange;

/** Where a request's id lives: the {@code X-Request-Id} header in and out, and an exchange attribute. */
public final class RequestIds {

    public static final String HEADER = "X-Request-Id";
    public static final String ATTRIBUTE = RequestIds.class.getName() + ".id";
    private static final Pattern ACCEPTABLE = Pattern.compile("[A-Za-z0-9._-]{1,64}");

    private RequestIds() {
    }

    /** The caller's id when it is short and printable, else a fresh one. */
    public static String choose(String offered) {
        return offered != null && ACCEPTABLE.matcher(offered).matches() ? offered : fresh();
    }

    /**
     * A random (version 4) UUID drawn from {@link ThreadLocalRandom}. A request id must be
     * unique, not unguessable; {@code UUID.randomUUID()} drew from the shared SecureRandom, which
     * serialises every event-loop thread on one lock and reads {@code /dev/urandom} every other call.
     */
    static String fresh() {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        long high = (random.nextLong() & ~0xF000L) | 0x4000L;
        long low = (random.nextLong() & 0x3FFF_FFFF_FFFF_FFFFL) | 0x8000_0000_0000_0000L;
        return new UUID(high, low).toString();
    }

    public static String of(ServerWebExchange exchange) {
        Object id = exchange.getAttribute(ATTRIBUTE);
        return id == null ? "-" : id.toString();
    }
}
