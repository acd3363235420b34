package io.granary.s3api;

import java.util.Locale;
import org.springframework.http.HttpHeaders;
import org.springframework.web.reactive.function.server.ServerRequest;

/**
 * Path-style or virtual-host-style: with a domain configured ({@code granary.s3.domain}), a
 * request whose {@code Host} (port left out, any case) is {@code <bucket>.<domain>} addresses
 * that bucket and its whole path is the key; {@code a.b.<domain>} is bucket {@code a.b}. Any
 * other {@code Host}, the domain itself included, is path style. Only the {@code Host} header
 * counts, never {@code X-Forwarded-Host}: the signature covers {@code Host}, so a proxy has to
 * pass it unchanged anyway, and a header a client may set freely must not choose the bucket.
 */
final class S3Addressing {

    /** {@code .<domain>} in lowercase, or {@code null} when virtual-host addressing is off. */
    private final String suffix;

    S3Addressing(String domain) {
        String normalised = domain == null ? "" : trimDots(domain.strip().toLowerCase(Locale.ROOT));
        this.suffix = normalised.isEmpty() ? null : "." + normalised;
    }

    S3Address address(ServerRequest request) {
        String rawPath = request.uri().getRawPath();
        String host = suffix == null ? null : hostName(request.headers().firstHeader(HttpHeaders.HOST));
        if (host != null && host.length() > suffix.length() && host.endsWith(suffix)) {
            return S3Address.virtualHost(host.substring(0, host.length() - suffix.length()), rawPath);
        }
        return S3Address.pathStyle(rawPath);
    }

    /** The host name of a {@code Host} header: lowercase, without the port or a final dot; {@code null} for none. */
    private static String hostName(String header) {
        if (header == null || header.isBlank() || header.startsWith("[")) {
            return null; // none, or an IPv6 literal: never a bucket's name
        }
        String host = header.strip().toLowerCase(Locale.ROOT);
        int colon = host.lastIndexOf(':');
        return trimDots(colon < 0 ? host : host.substring(0, colon));
    }

    private static String trimDots(String name) {
        int start = 0;
        int end = name.length();
        while (start < end && name.charAt(start) == '.') {
            start++;
        }
        while (end > start && name.charAt(end - 1) == '.') {
            end--;
        }
        return name.substring(start, end);
    }
}
