package io.granary.auth;

import io.granary.audit.AuditEventType;
import io.granary.audit.AuditLog;
import io.granary.error.ErrorCode;
import io.granary.error.GranaryException;
import io.granary.security.JwtIdentity;
import io.granary.security.Principal;
import io.granary.user.UserService;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import org.springframework.stereotype.Service;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * A user's own sessions of the embedded issuer (a session is one login's family of refresh
 * tokens): listing them, and ending one or all but the caller's. Only the caller's own sessions
 * are reachable: another user's session id is answered as an unknown one. Ending a session
 * revokes its refresh tokens, as a logout does (and is audited as one); access tokens already
 * issued in it keep working until they expire.
 *
 * <p>Callers without Granary sessions (API keys, the root key, tokens of other issuers) list
 * none, and are told who manages theirs ({@link #IDENTITY_PROVIDER} or {@link #NONE}).
 */
@Service
public class AccountSessions {

    /** The caller's sessions are Granary's own. */
    public static final String GRANARY = "granary";
    /** The caller holds another issuer's token: its sessions live at that identity provider. */
    public static final String IDENTITY_PROVIDER = "identity-provider";
    /** The caller holds a key: keys have no sessions. */
    public static final String NONE = "none";

    /**
     * One live session.
     *
     * @param id the session's id (its refresh-token family: not a credential)
     * @param startedAt when its login happened
     * @param refreshedAt when its current refresh token was issued (the login, or the last refresh)
     * @param expiresAt when it ends unless refreshed before
     * @param via {@link SessionOpening#PASSWORD}, {@link SessionOpening#BROWSER}, or {@code null} when not recorded
     * @param client the login's {@code User-Agent} as kept ({@link SessionOpening}), or {@code null}
     * @param current whether the caller's access token was issued in this session
     */
    public record Session(String id, Instant startedAt, Instant refreshedAt, Instant expiresAt, String via, String client,
                          boolean current) {
    }

    /** The caller's live sessions, the current one first, then the most recently refreshed. */
    public record Listing(String managedBy, List<Session> sessions) {
    }

    private final RefreshTokenRepository refreshTokens;
    private final UserService users;
    private final AuditLog audit;

    AccountSessions(RefreshTokenRepository refreshTokens, UserService users, AuditLog audit) {
        this.refreshTokens = refreshTokens;
        this.users = users;
        this.audit = audit;
    }

    public Mono<Listing> list(Principal caller) {
        JwtIdentity me = embedded(caller);
        if (me == null) {
            return Mono.just(new Listing(identity(caller) != null ? IDENTITY_PROVIDER : NONE, List.of()));
        }
        return live(me.userId())
                .map(token -> session(token, me))
                .sort(Comparator.comparing(Session::current).reversed()
                        .thenComparing(Comparator.comparing(Session::refreshedAt).reversed()))
                .collectList()
                .map(sessions -> new Listing(GRANARY, sessions));
    }

    /** Ends the caller's session {@code sessionId} (the current one too, if asked); {@code 404 not_found} if it has no such live session. */
    public Mono<Void> end(Principal caller, String sessionId) {
        JwtIdentity me = embedded(caller);
        Flux<RefreshToken> mine = me == null ? Flux.empty() : live(me.userId());
        return mine.filter(token -> token.familyId().equals(sessionId)).next()
                .switchIfEmpty(Mono.error(() -> new GranaryException(ErrorCode.NOT_FOUND, "You have no live session " + sessionId + ".")))
                .flatMap(token -> revoke(caller, token));
    }

    /**
     * Ends every session of the caller but the one its access token belongs to; answers how many.
     * A caller without Granary sessions ends none; an embedded token without a session id
     * (issued before they were named) cannot tell its own apart: {@code 400 invalid_request}.
     */
    public Mono<Long> endOthers(Principal caller) {
        JwtIdentity me = embedded(caller);
        if (me == null) {
            return Mono.just(0L);
        }
        if (me.sessionId() == null) {
            return Mono.error(new GranaryException(ErrorCode.INVALID_REQUEST,
                    "This access token names no session, so yours cannot be kept; refresh it and try again."));
        }
        return live(me.userId())
                .filter(token -> !token.familyId().equals(me.sessionId()))
                .concatMap(token -> revoke(caller, token).thenReturn(token))
                .count();
    }

    /** The user's live sessions: unspent, unexpired tokens the user's current session version still accepts. */
    private Flux<RefreshToken> live(String userId) {
        return users.find(userId).flatMapMany(user -> refreshTokens.live(userId, Instant.now())
                .filter(token -> user.acceptsSession(token.sessionVersion())));
    }

    private Mono<Void> revoke(Principal caller, RefreshToken token) {
        return refreshTokens.revokeFamily(token.familyId(), Instant.now())
                .then(audit.record(caller, token.tenantId(), AuditEventType.LOGOUT, "user:" + token.userId(),
                        Map.of("session", token.familyId())));
    }

    private static Session session(RefreshToken token, JwtIdentity me) {
        SessionOpening opening = token.opening();
        return new Session(token.familyId(), token.startedAt() != null ? token.startedAt() : token.createdAt(),
                token.createdAt(), token.expiresAt(), opening == null ? null : opening.via(),
                opening == null ? null : opening.client(), token.familyId().equals(me.sessionId()));
    }

    /** The caller's identity when the embedded issuer vouches for it, else {@code null}. */
    private static JwtIdentity embedded(Principal caller) {
        JwtIdentity identity = identity(caller);
        return identity != null && identity.userId() != null ? identity : null;
    }

    private static JwtIdentity identity(Principal caller) {
        if (caller instanceof Principal.SystemAdmin admin) {
            return admin.identity();
        }
        return caller instanceof Principal.User user ? user.identity() : null;
    }
}
