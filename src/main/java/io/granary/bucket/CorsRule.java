package io.granary.bucket;

import io.granary.error.ErrorCode;
import io.granary.error.GranaryException;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * One CORS rule of a bucket, as S3 defines them: which origins may call with which methods and
 * request headers, which response headers their scripts may read, and how long a browser may
 * keep a preflight's answer. A bucket's rules are tried in order; the first that allows a request
 * answers it.
 *
 * <p>An origin is {@code scheme://host[:port]}, compared without regard to case, and may hold
 * one {@code *} standing for any characters ({@code https://*.example.com}); {@code *} alone
 * allows every origin and must be set explicitly. Header names may hold one {@code *} as well.
 *
 * @param allowedOrigins 1 to 100 origins
 * @param allowedMethods 1 or more of GET, HEAD, PUT, POST, DELETE and PATCH (tus)
 * @param allowedHeaders request headers a preflight may ask for; {@code null} for none
 * @param exposeHeaders response headers scripts may read; {@code null} for none
 * @param maxAgeSeconds 0 to 86,400, or {@code null} to leave it to the browser
 */
public record CorsRule(List<String> allowedOrigins, List<String> allowedMethods, List<String> allowedHeaders,
                       List<String> exposeHeaders, Integer maxAgeSeconds) {

    /** Rules a bucket may have, as on S3. */
    public static final int MAX_RULES = 100;
    private static final int MAX_ENTRIES = 100;
    private static final Set<String> METHODS = Set.of("GET", "HEAD", "PUT", "POST", "DELETE", "PATCH");

    public CorsRule {
        allowedOrigins = entries(allowedOrigins, "allowedOrigins", true);
        allowedMethods = entries(allowedMethods, "allowedMethods", true);
        allowedHeaders = entries(allowedHeaders, "allowedHeaders", false);
        exposeHeaders = entries(exposeHeaders, "exposeHeaders", false);
        for (String origin : allowedOrigins) {
            String scheme = origin.toLowerCase(Locale.ROOT);
            if (!origin.equals("*") && !scheme.startsWith("http://") && !scheme.startsWith("https://")
                    || wildcards(origin) > 1 || origin.indexOf('/', origin.indexOf("//") + 2) >= 0) {
                throw invalid("'" + origin + "' is not an origin: scheme://host[:port] with at most one '*', or '*'.");
            }
        }
        for (String method : allowedMethods) {
            if (!METHODS.contains(method)) {
                throw invalid("'" + method + "' is not one of the methods a rule may allow: " + String.join(", ",
                        List.of("GET", "HEAD", "PUT", "POST", "DELETE", "PATCH")) + ".");
            }
        }
        for (String header : allowedHeaders) {
            if (wildcards(header) > 1 || !header.replace("*", "").chars().allMatch(CorsRule::isTokenChar)) {
                throw invalid("'" + header + "' is not a header name (with at most one '*').");
            }
        }
        for (String header : exposeHeaders) {
            if (header.contains("*") || !header.chars().allMatch(CorsRule::isTokenChar)) {
                throw invalid("'" + header + "' is not a header name.");
            }
        }
        if (maxAgeSeconds != null && (maxAgeSeconds < 0 || maxAgeSeconds > 86_400)) {
            throw invalid("'maxAgeSeconds' must be 0 to 86400.");
        }
    }

    /**
     * Whether this rule lets {@code origin} send {@code method} with these request headers. An
     * {@code OPTIONS} (tus discovery) changes nothing, so any rule that allows the origin and
     * headers allows it.
     */
    public boolean allows(String origin, String method, List<String> requestHeaders) {
        return allowsOrigin(origin) && (method.equals("OPTIONS") || allowedMethods.contains(method))
                && requestHeaders.stream().allMatch(header -> allowedHeaders.stream().anyMatch(allowed -> matches(allowed, header)));
    }

    /** Whether the rule allows every origin, so answers may say {@code *} instead of the caller's. */
    public boolean anyOrigin() {
        return allowedOrigins.contains("*");
    }

    private boolean allowsOrigin(String origin) {
        return allowedOrigins.stream().anyMatch(allowed -> matches(allowed, origin));
    }

    /** {@code pattern} (with at most one {@code *}) against {@code value}, ignoring case. */
    private static boolean matches(String pattern, String value) {
        String p = pattern.toLowerCase(Locale.ROOT);
        String v = value.toLowerCase(Locale.ROOT);
        int star = p.indexOf('*');
        if (star < 0) {
            return p.equals(v);
        }
        String prefix = p.substring(0, star);
        String suffix = p.substring(star + 1);
        return v.length() >= prefix.length() + suffix.length() && v.startsWith(prefix) && v.endsWith(suffix);
    }

    private static List<String> entries(List<String> values, String field, boolean required) {
        if (values == null || values.isEmpty()) {
            if (required) {
                throw invalid("'" + field + "' must list at least one entry.");
            }
            return List.of();
        }
        if (values.size() > MAX_ENTRIES || values.stream().anyMatch(value -> value == null || value.isBlank() || value.length() > 256)) {
            throw invalid("'" + field + "' must list at most " + MAX_ENTRIES + " non-empty entries of up to 256 characters.");
        }
        return List.copyOf(values);
    }

    private static long wildcards(String value) {
        return value.chars().filter(c -> c == '*').count();
    }

    /** RFC 9110 token characters, which header names are made of. */
    private static boolean isTokenChar(int c) {
        return c > 32 && c < 127 && "\"(),/:;<=>?@[\\]{}".indexOf(c) < 0;
    }

    private static GranaryException invalid(String detail) {
        return new GranaryException(ErrorCode.INVALID_REQUEST, "CORS rule: " + detail);
    }
}
