package io.granary.auth;

/**
 * How a session was opened, recorded at login and kept by every refresh of the session.
 *
 * @param via {@link #PASSWORD} (a login whose refresh token is in the JSON bodies) or
 *     {@link #BROWSER} (a dashboard login whose refresh token is in the cookie)
 * @param client the login request's {@code User-Agent}, cut to {@link #CLIENT_LENGTH} characters
 *     with control characters dropped, or {@code null} when it sent none
 */
public record SessionOpening(String via, String client) {

    /** A password login whose refresh token travels in the JSON bodies. */
    public static final String PASSWORD = "password";
    /** A password login whose refresh token lives in the browser's cookie. */
    public static final String BROWSER = "browser";
    /** The most of a {@code User-Agent} kept: enough to tell browsers and devices apart. */
    static final int CLIENT_LENGTH = 200;

    /** The opening of a login over {@code via} from a client that sent {@code userAgent} (may be {@code null}). */
    public static SessionOpening of(String via, String userAgent) {
        if (userAgent == null) {
            return new SessionOpening(via, null);
        }
        String printable = userAgent.codePoints().filter(c -> !Character.isISOControl(c))
                .limit(CLIENT_LENGTH).collect(StringBuilder::new, StringBuilder::appendCodePoint, StringBuilder::append)
                .toString().strip();
        return new SessionOpening(via, printable.isEmpty() ? null : printable);
    }
}
