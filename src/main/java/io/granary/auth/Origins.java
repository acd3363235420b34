package io.granary.auth;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;

/**
 * Web origins ({@code scheme://host[:port]}) written the way browsers write them in
 * {@code Origin}: scheme and host in lower case, the port only when it is not the scheme's
 * default. Two origins are the same exactly when their forms here are equal strings.
 */
final class Origins {

    private Origins() {
    }

    /** The origin of an absolute http(s) URI, or {@code null} for any other URI. */
    static String of(URI uri) {
        if (uri == null || uri.getScheme() == null || uri.getHost() == null) {
            return null;
        }
        String scheme = uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            return null;
        }
        int port = uri.getPort();
        boolean defaultPort = port == -1 || scheme.equals("http") && port == 80 || scheme.equals("https") && port == 443;
        return scheme + "://" + uri.getHost().toLowerCase(Locale.ROOT) + (defaultPort ? "" : ":" + port);
    }

    /**
     * The origin an {@code Origin} header names, or {@code null} when it names none that a page
     * served over http(s) could have: {@code null} (an opaque origin, such as a sandboxed frame's),
     * another scheme, or anything with a path, query or user info.
     */
    static String parse(String header) {
        try {
            URI uri = new URI(header.strip());
            boolean bare = (uri.getRawPath() == null || uri.getRawPath().isEmpty()) && uri.getRawQuery() == null
                    && uri.getRawFragment() == null && uri.getRawUserInfo() == null;
            return bare ? of(uri) : null;
        } catch (URISyntaxException e) {
            return null;
        }
    }
}
