package io.granary.auth;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.nimbusds.jwt.JWTClaimsSet;
import io.granary.audit.AuditEventType;
import io.granary.audit.AuditLog;
import io.granary.common.Ids;
import io.granary.config.GranaryProperties;
import io.granary.error.ErrorCode;
import io.granary.error.GranaryException;
import io.granary.security.Secrets;
import io.granary.tenant.Tenant;
import io.granary.tenant.TenantService;
import io.granary.user.UserAccount;
import io.granary.user.UserRole;
import io.granary.user.UserService;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.springframework.stereotype.Service;
import reactor.core.publisher.Mono;

/**
 * Dashboard sessions of the embedded issuer: a login exchanges a user name and password for a
 * short-lived access token and a refresh token; a refresh exchanges a refresh token for a new
 * pair (rotation: the old one is spent, and spending it again ends the whole session); a logout
 * ends the session. Logins, failed logins and detected reuse are audited. After
 * {@link #MAX_FAILURES} failed logins for one user name within {@link #FAILURE_WINDOW}, further
 * attempts are refused with 429 until the window has passed.
 */
@Service
public class SessionService {

    static final int MAX_FAILURES = 10;
    static final Duration FAILURE_WINDOW = Duration.ofMinutes(15);
    private static final String REFRESH_PREFIX = "grf_";
    /** Claim of embedded access tokens holding the user's session version. */
    public static final String SESSION_VERSION_CLAIM = "sv";
    /**
     * Claim of embedded access tokens naming their session (its refresh-token family), so
     * {@code GET /v1/auth/sessions} can mark the caller's own. Tokens issued before it was
     * added have none.
     */
    public static final String SESSION_ID_CLAIM = "sid";

    /** What a login or refresh answers. */
    public record Tokens(String accessToken, String refreshToken, long expiresIn, String tokenType) {
    }

    private final UserService users;
    private final TenantService tenants;
    private final EmbeddedIssuer issuer;
    private final RefreshTokenRepository refreshTokens;
    private final AuditLog audit;
    private final GranaryProperties.Auth settings;
    private final Cache<String, AtomicInteger> failures = Caffeine.newBuilder()
            .maximumSize(100_000).expireAfterWrite(FAILURE_WINDOW).build();

    SessionService(UserService users, TenantService tenants, EmbeddedIssuer issuer, RefreshTokenRepository refreshTokens,
                   AuditLog audit, GranaryProperties properties) {
        this.users = users;
        this.tenants = tenants;
        this.issuer = issuer;
        this.refreshTokens = refreshTokens;
        this.audit = audit;
        this.settings = properties.auth();
    }

    /** Logs in; {@code opening} says how, and is kept with the session for its listing. */
    public Mono<Tokens> login(String username, String password, String remoteAddress, SessionOpening opening) {
        String name = username == null ? "" : username.strip().toLowerCase(Locale.ROOT);
        // Counted as a failure before the password is checked, so parallel guesses cannot all
        // slip past the limit; a success clears the count.
        if (failures.get(name, ignored -> new AtomicInteger()).incrementAndGet() > MAX_FAILURES) {
            return Mono.error(new GranaryException(ErrorCode.RATE_LIMITED, "Too many failed logins for this user name; try again later.",
                    Map.of("Retry-After", Long.toString(FAILURE_WINDOW.toSeconds()))));
        }
        return users.checkPassword(name, password)
                .switchIfEmpty(Mono.defer(() -> {
                    return audit.record("login:" + name, null, AuditEventType.LOGIN_FAILED, "user:" + name,
                                    Map.of("remote", remoteAddress))
                            .then(Mono.error(new GranaryException(ErrorCode.INVALID_CREDENTIALS,
                                    "The user name or password is wrong, or the user is disabled.")));
                }))
                .flatMap(user -> {
                    failures.invalidate(name);
                    Instant now = Instant.now();
                    return refreshTokens.deleteExpired(now, settings.refreshTokenTtl())
                            .then(issue(user, Ids.newId(), now.truncatedTo(ChronoUnit.MILLIS), opening, now))
                            .flatMap(tokens -> audit.record("user:" + user.id(), user.tenantId(), AuditEventType.LOGIN,
                                    "user:" + user.id(), Map.of("remote", remoteAddress)).thenReturn(tokens));
                });
    }

    public Mono<Tokens> refresh(String refreshToken) {
        if (refreshToken == null || !refreshToken.startsWith(REFRESH_PREFIX) || refreshToken.length() > 128) {
            return Mono.error(invalid());
        }
        String digest = Secrets.sha256Hex(refreshToken);
        Instant now = Instant.now();
        return refreshTokens.markUsed(digest, now)
                .switchIfEmpty(Mono.defer(() -> refreshTokens.find(digest)
                        // Spent already: someone else holds a copy. End the session for both.
                        .flatMap(spent -> refreshTokens.revokeFamily(spent.familyId(), now)
                                .then(audit.record("user:" + spent.userId(), spent.tenantId(), AuditEventType.REFRESH_TOKEN_REUSED,
                                        "user:" + spent.userId(), Map.of())))
                        .then(Mono.error(invalid()))))
                .flatMap(token -> {
                    if (!now.isBefore(token.expiresAt())) {
                        return Mono.error(new GranaryException(ErrorCode.TOKEN_EXPIRED, "The refresh token has expired; log in again."));
                    }
                    return refreshTokens.isRevoked(token.familyId())
                            .filter(revoked -> !revoked)
                            .flatMap(notRevoked -> users.find(token.userId()))
                            .filter(user -> user.acceptsSession(token.sessionVersion()))
                            .switchIfEmpty(Mono.error(invalid()))
                            // Tokens stored before sessions were listed know neither: their
                            // session started no later than the token, by a client unknown.
                            .flatMap(user -> issue(user, token.familyId(),
                                    token.startedAt() != null ? token.startedAt() : token.createdAt(),
                                    token.opening(), now));
                });
    }

    /** Ends the session the refresh token belongs to; unknown tokens are ignored. */
    public Mono<Void> logout(String refreshToken) {
        if (refreshToken == null || refreshToken.length() > 128) {
            return Mono.empty();
        }
        return refreshTokens.find(Secrets.sha256Hex(refreshToken))
                .flatMap(token -> refreshTokens.revokeFamily(token.familyId(), Instant.now())
                        .then(audit.record("user:" + token.userId(), token.tenantId(), AuditEventType.LOGOUT, "user:" + token.userId(), Map.of())));
    }

    private Mono<Tokens> issue(UserAccount user, String familyId, Instant startedAt, SessionOpening opening, Instant now) {
        Mono<String> tenantName = user.tenantId() == null ? Mono.just("")
                : tenants.get(user.tenantId()).map(Tenant::name);
        long ttl = settings.accessTokenTtl().toSeconds();
        String refresh = REFRESH_PREFIX + Secrets.newSecret();
        return tenantName.flatMap(tenant -> {
            JWTClaimsSet.Builder claims = new JWTClaimsSet.Builder()
                    .subject(user.id())
                    .audience(settings.audience())
                    .claim("preferred_username", user.username())
                    .claim(SESSION_VERSION_CLAIM, user.sessionVersion())
                    .claim(SESSION_ID_CLAIM, familyId)
                    .claim(settings.rolesClaim(), List.of(roleValue(user)));
            if (!tenant.isEmpty()) {
                claims.claim(settings.tenantClaim(), tenant);
            }
            return issuer.sign(claims, ttl);
        }).flatMap(access -> {
            String digest = Secrets.sha256Hex(refresh);
            return refreshTokens.insert(new RefreshToken(digest, user.id(), user.tenantId(), familyId,
                            user.sessionVersion(), now.truncatedTo(ChronoUnit.MILLIS), now.plus(settings.refreshTokenTtl()), null,
                            startedAt, opening))
                    // Checked after storing: a session ended meanwhile (a reused token seen by a
                    // concurrent refresh) must not keep the token this refresh just made.
                    .then(refreshTokens.isRevoked(familyId))
                    .flatMap(revoked -> revoked
                            ? refreshTokens.delete(digest).then(Mono.<Tokens>error(invalid()))
                            : Mono.just(new Tokens(access, refresh, ttl, "Bearer")));
        });
    }

    /** The role claim value the resource-server side maps back to the user's role. */
    private String roleValue(UserAccount user) {
        return switch (UserRole.parse(user.role())) {
            case SYSTEM_ADMIN -> settings.systemAdminRole();
            case TENANT_ADMIN -> settings.tenantAdminRole();
            case MEMBER -> settings.memberRole();
        };
    }

    private static GranaryException invalid() {
        return new GranaryException(ErrorCode.INVALID_TOKEN, "The refresh token is unknown, spent or revoked; log in again.");
    }
}
