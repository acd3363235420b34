package io.granary.web;

import io.granary.security.Principal;
import java.net.InetSocketAddress;

/** Who a refusal counts against, for the audit log's denial counts and for refusal pacing. */
final class Callers {

    private Callers() {
    }

    /**
     * The caller's credential as its actor ({@code key:<id>}, {@code user:<id>}, {@code root}),
     * {@code signed-url:<tenant id>} for a signed URL, else {@code ip:<address>} when no
     * credential was established.
     */
    static String of(Object principal, InetSocketAddress remote) {
        if (principal instanceof Principal.Grant grant) {
            return "signed-url:" + grant.tenantId();
        }
        if (principal instanceof Principal known && !(principal instanceof Principal.Anonymous)) {
            return known.actor();
        }
        return "ip:" + (remote == null || remote.getAddress() == null ? "unknown" : remote.getAddress().getHostAddress());
    }
}
